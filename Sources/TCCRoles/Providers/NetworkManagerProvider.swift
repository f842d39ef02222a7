import Foundation
import TCCCore
import WinteropTransport

/// `networkmanager[:ifname=IF,con-name=NAME,ssid=…,password=…,display-name=…]`: brings a
/// Wi-Fi hotspot up through NetworkManager's `nmcli device wifi hotspot`, reads its SSID,
/// passphrase and BSSID back, and maps failures onto StatusCodeEnum (2.2.1.2). Checked
/// at start: `nmcli` must be installed and NetworkManager running.
public struct NetworkManagerProvider: TetheringProvider {
    let nmcli: CommandRunner
    let interface: String?
    let connectionName: String
    let ssid: String?
    let password: String?
    let displayName: String
    let gate = SerialGate()

    init(_ parameters: ProviderParameters, environment: [String: String]) throws(RoleFailure) {
        var parameters = parameters
        interface = parameters.take("ifname")
        connectionName = parameters.take("con-name") ?? "Hotspot"
        ssid = parameters.take("ssid")
        password = parameters.take("password")
        displayName = parameters.take("display-name") ?? ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "winterop"
        try parameters.finish(known: "ifname, con-name, ssid, password and display-name")
        if let ssid, Ssid(ssid) == nil {
            throw .usage("--provider networkmanager: ssid is \(ssid.utf8.count) bytes; an SSID has 0 to 32 (MS-TCC 2.2.2.10)")
        }
        if let password, let problem = Passphrase.problem(Array(password.utf8)) {
            throw .usage("--provider networkmanager: password: \(problem) (MS-TCC 2.2.2.9)")
        }
        guard let executable = CommandRunner.find("nmcli", environment: environment) else {
            throw .usage("--provider networkmanager: NetworkManager's nmcli is not installed on this machine (install network-manager), or use --provider static:ssid=…,passphrase=…,display-name=…")
        }
        nmcli = CommandRunner(executable: executable, environment: environment)
    }

    /// Checks that NetworkManager answers (`nmcli -t -f RUNNING general`); call at start.
    public func checkAvailable() async throws(RoleFailure) {
        let output = await nmcli.run(["-t", "-f", "RUNNING", "general"])
        guard output.status == 0, output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "running" else {
            let detail = output.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
            throw .usage("--provider networkmanager: NetworkManager is not running on this machine\(detail.isEmpty ? "" : " (nmcli: \(detail))"); start it, or use --provider static:…")
        }
    }

    public var summary: String { "NetworkManager hotspot \(connectionName)\(interface.map { " on \($0)" } ?? "")" }

    public func startTethering() async -> TetheringResult {
        // One bring-up at a time: clients asking together share the hotspot (3.2.4.2).
        await gate.serialized { await bringUp() }
    }

    /// Brings the hotspot up unless it is already active, then reads its settings back.
    func bringUp() async -> TetheringResult {
        var device = interface
        let state = await nmcli.run(["-t", "-g", "GENERAL.STATE,GENERAL.DEVICES", "connection", "show", connectionName])
        let lines = state.standardOutput.split(separator: "\n").map(String.init)
        if state.status == 0, lines.first == "activated" {
            device = device ?? lines.dropFirst().first
        } else {
            var arguments = ["-t", "device", "wifi", "hotspot"]
            if let interface { arguments += ["ifname", interface] }
            arguments += ["con-name", connectionName]
            if let ssid { arguments += ["ssid", ssid] }
            if let password { arguments += ["password", password] }
            let up = await nmcli.run(arguments)
            guard up.status == 0 else { return .failed(Self.failure(up)) }
            device = device ?? Self.quoted(in: up.standardOutput)
        }
        let settings = await nmcli.run(["-s", "-t", "-g", "802-11-wireless.ssid,802-11-wireless-security.psk", "connection", "show", connectionName])
        let values = settings.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map { Self.unescape(String($0)) }
        guard settings.status == 0, values.count >= 2 else {
            return .failed(Self.unspecified("the hotspot came up but nmcli did not show its SSID and passphrase: \(Self.message(settings))"))
        }
        guard let ssid = Ssid(values[0]) else {
            return .failed(Self.unspecified("NetworkManager's hotspot SSID is longer than 32 bytes"))
        }
        guard let passphrase = Passphrase(values[1]) else {
            return .failed(Self.unspecified("NetworkManager's hotspot passphrase is not a valid WPA2 passphrase"))
        }
        var bssid: Bssid?
        if let device {
            let hardware = await nmcli.run(["-t", "-g", "GENERAL.HWADDR", "device", "show", device])
            if hardware.status == 0 {
                bssid = Bssid(Self.unescape(hardware.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)))
            }
        }
        return .started(BringUpSuccessResponse(ssid: ssid, bssid: bssid, passphrase: passphrase, displayName: displayName))
    }

    /// nmcli's exit statuses (nmcli(1)) and messages onto StatusCodeEnum; NetworkManager
    /// says nothing about cellular signal, so these are UnspecifiedError with the reason.
    static func failure(_ output: CommandRunner.Output) -> BringUpFailureResponse {
        let text = message(output)
        let lowered = text.lowercased()
        if output.status == 10 || lowered.contains("no wi-fi device") || lowered.contains("no suitable device") || lowered.contains("not found") && lowered.contains("device") {
            return unspecified("no Wi-Fi device can run a hotspot: \(text)")
        }
        if output.status == 8 {
            return unspecified("NetworkManager is not running: \(text)")
        }
        if output.status == 3 {
            return unspecified("bringing the hotspot up timed out: \(text)")
        }
        return unspecified("NetworkManager could not bring the hotspot up: \(text)")
    }

    static func unspecified(_ text: String) -> BringUpFailureResponse {
        .unspecifiedError(text)
    }

    static func message(_ output: CommandRunner.Output) -> String {
        let text = (output.standardError.isEmpty ? output.standardOutput : output.standardError).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.replacingOccurrences(of: "Error: ", with: "")
    }

    /// The first 'quoted' word: the device in "Device 'wlan0' successfully activated with '…'".
    static func quoted(in text: String) -> String? {
        let parts = text.split(separator: "'", omittingEmptySubsequences: false)
        return parts.count >= 3 ? String(parts[1]) : nil
    }

    /// Terse output escapes ':' and '\' with a backslash.
    static func unescape(_ text: String) -> String {
        var result = ""
        var escaped = false
        for character in text {
            if escaped || character != "\\" {
                result.append(character)
                escaped = false
            } else {
                escaped = true
            }
        }
        return result
    }
}

/// Runs one operation at a time, in arrival order.
actor SerialGate {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func serialized<T: Sendable>(_ body: @Sendable () async -> T) async -> T {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        }
        busy = true
        let result = await body()
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
        return result
    }
}
