import ArgumentParser
import Foundation
import NIOCore
import WinteropWire
import WinteropTransport
import WinteropFormat

/// `winterop decode <kind> <hex | @file | ->`: prints any message of the five protocols.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode a protocol message from hex, a file or standard input, and print its fields.",
        discussion: "Kinds:\n" + DecodeKind.all.map { "  \($0.name.padding(toLength: 10, withPad: " ", startingAt: 0)) \($0.summary)" }.joined(separator: "\n")
    )

    @Argument(help: "What the bytes are: one of \(DecodeKind.all.map(\.name).joined(separator: ", ")).")
    var kind: String

    @Argument(help: "Hex digits (spaces, colons and 0x ignored), @FILE for a file's raw bytes, or - for standard input's raw bytes.")
    var input: String

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    @Option(name: .long, help: "For kind 'tlv': TYPEWIDTH,LENGTHWIDTH,be|le (widths 1, 2 or 4).")
    var tlvFormat: String = "1,2,be"

    func run() throws {
        guard let decodeKind = DecodeKind.all.first(where: { $0.name == kind }) else {
            throw RoleFailure.usage("unknown kind '\(kind)'; kinds are: \(DecodeKind.all.map(\.name).joined(separator: ", "))")
        }
        let bytes = try readInput()
        guard !bytes.isEmpty else {
            throw RoleFailure.usage("no bytes to decode: the input is empty (give hex digits, @FILE or -)")
        }
        let options = DecodeOptions(tlvFormat: tlvFormat)
        let value: JSONValue
        do {
            value = try decodeKind.decode(ByteBuffer(bytes: bytes), options)
        } catch let error as WireError {
            if json {
                print(JSONValue.object([
                    ("error", .string(error.message)), ("spec", .string(error.spec)), ("section", .string(error.section)),
                ]).jsonText)
            }
            throw RoleFailure.peer("malformed \(kind) (\(bytes.count) byte\(bytes.count == 1 ? "" : "s")): \(error)")
        }
        print(json ? value.jsonText : value.text)
    }

    private func readInput() throws -> [UInt8] {
        if input == "-" {
            return Array(FileHandle.standardInput.readBytesToEnd())
        }
        if input.hasPrefix("@") {
            let path = String(input.dropFirst())
            guard let data = FileManager.default.contents(atPath: path) else {
                throw RoleFailure.usage("cannot read '\(path)'")
            }
            return Array(data)
        }
        if let problem = Hex.problem(input) {
            throw RoleFailure.usage("the input is not hex: \(problem); give hex digits, @FILE or -")
        }
        return Hex.decode(input) ?? []
    }
}

/// Options some kinds read.
struct DecodeOptions: Sendable {
    var tlvFormat: String
}

/// One kind `winterop decode` knows. Each protocol registers its kinds in ``all``.
struct DecodeKind: Sendable {
    var name: String
    var summary: String
    var decode: @Sendable (ByteBuffer, DecodeOptions) throws -> JSONValue
}
