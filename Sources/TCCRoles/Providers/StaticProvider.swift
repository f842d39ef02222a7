import Foundation
import TCCCore
import WinteropTransport

/// `static:ssid=…,passphrase=…,display-name=…[,bssid=…][,delay=SECONDS]`: fixed settings,
/// checked against 2.2.2 at start (a hotspot someone set up by hand).
public struct StaticProvider: TetheringProvider {
    public let settings: BringUpSuccessResponse
    public let delay: Duration?

    init(_ parameters: ProviderParameters) throws(RoleFailure) {
        var parameters = parameters
        let ssidText = try parameters.require("ssid")
        guard let ssid = Ssid(ssidText) else {
            throw .usage("--provider static: ssid is \(ssidText.utf8.count) bytes; an SSID has 0 to 32 (MS-TCC 2.2.2.10)")
        }
        let passphraseText = try parameters.require("passphrase")
        if let problem = Passphrase.problem(Array(passphraseText.utf8)) {
            throw .usage("--provider static: passphrase: \(problem) (MS-TCC 2.2.2.9)")
        }
        let displayName = try parameters.require("display-name")
        guard displayName.utf8.count <= TCC.maximumLength else { throw .usage("--provider static: display-name is too long") }
        var bssid: Bssid?
        if let text = parameters.take("bssid") {
            guard let value = Bssid(text) else { throw .usage("--provider static: bssid must be six hex pairs such as 01:02:03:04:05:06, not '\(text)'") }
            bssid = value
        }
        delay = try parameters.delay()
        try parameters.finish(known: "ssid, passphrase, display-name, bssid and delay")
        guard let passphrase = Passphrase(passphraseText) else { throw .usage("--provider static: invalid passphrase") }
        settings = BringUpSuccessResponse(ssid: ssid, bssid: bssid, passphrase: passphrase, displayName: displayName)
    }

    public var summary: String { "static settings for SSID \(settings.ssid)" }

    public func startTethering() async -> TetheringResult {
        if let delay { try? await Task.sleep(for: delay) }
        return .started(settings)
    }
}
