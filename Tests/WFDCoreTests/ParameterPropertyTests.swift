import PropertyBased
import Testing
import WFDCore

/// parse ∘ render is the identity on generated parameter values, and a rendered
/// `text/parameters` body decodes to the same lines.
@Suite struct ParameterPropertyTests {
    static func check(_ parameter: WFDParameter) {
        #expect((try? WFDParameter(name: parameter.name, value: parameter.value)) == parameter, "\(parameter.name): \(parameter.value)")
        let list = WFDParameterList([parameter])
        #expect((try? WFDParameterList(body: list.body)) == list)
    }

    static let codec = zip(Gen.uint8(), Gen.uint8(), Gen.uint32(), Gen.uint32(), Gen.uint32(), Gen.uint16()).map { profiles, levels, cea, vesa, hh, slices in
        WFDH264Codec(profiles: profiles, levels: levels, cea: cea, vesa: vesa, hh: hh, latency: profiles &+ levels,
                     minimumSliceSize: slices, sliceEncoding: ~slices, frameRateControl: levels,
                     maximumHRes: slices % 3 == 0 ? nil : slices, maximumVRes: slices % 5 == 0 ? nil : ~slices)
    }

    @Test func videoFormats() async {
        await propertyCheck(input: Gen.uint8(), Self.codec.array(of: 1...3)) { native, codecs in
            Self.check(.videoFormats(WFDVideoFormats(native: native, preferredDisplayMode: native & 1, codecs: codecs)))
        }
    }

    @Test func audioAndPorts() async {
        let format = Gen.element(of: WFDAudioFormat.allCases).map { $0! }
        await propertyCheck(input: zip(format, Gen.uint32(), Gen.uint8()).array(of: 0...3), Gen.uint16(), Gen.uint16()) { codecs, port0, port1 in
            Self.check(.audioCodecs(WFDAudioCodecs(codecs.map { WFDAudioCodec(format: $0.0, modes: $0.1, latency: $0.2) })))
            Self.check(.clientRTPPorts(WFDClientRTPPorts(port0: port0, port1: port1)))
            Self.check(.contentProtection(.hdcp(version: port0 % 2 == 0 ? "HDCP2.0" : "HDCP2.1", port: port1)))
            Self.check(.microsoftCursor(.cursor(mode: port0 % 2 == 0 ? "none" : "full", maximumX: port0, maximumY: port1, port: port0 ^ port1)))
            Self.check(.connectorType(UInt8(truncatingIfNeeded: port0)))
        }
    }

    @Test func uibcAndBitmaps() async {
        let word = Gen<UInt8>.value(in: 0x41...0x5A).array(of: 1...8).map { String(decoding: $0, as: UTF8.self) }
        await propertyCheck(input: word.array(of: 0...3), word.array(of: 0...3), Gen.uint16(), Gen.uint64()) { categories, generic, port, bitmap in
            Self.check(.uibcCapability(WFDUIBCCapability(
                inputCategories: categories, genericCapabilities: generic,
                hidcCapabilities: zip(categories, generic).map { .init(type: $0, path: $1) }, port: port % 2 == 0 ? nil : port)))
            Self.check(.microsoftVideoFormats(bitmap & 0xFFFF_FFFF_FFFF))
            Self.check(.microsoftMaxBitrate(bitmap))
            Self.check(.coupledSink(.coupled(status: UInt8(truncatingIfNeeded: port), address: port % 3 == 0 ? nil : bitmap & 0xFFFF_FFFF_FFFF)))
        }
    }
}
