import TCCCore
import WinteropTransport

/// The higher layer of MS-TCC 3.2.4.2: asked to start tethering, it confirms with the
/// current Tethering Settings or says why it failed (3.2.1).
public protocol TetheringProvider: Sendable {
    /// What `--provider` named, for the start-up line.
    var summary: String { get }
    /// Brings tethering up (if it is not up already) and returns its settings or the failure.
    func startTethering() async -> TetheringResult
}

/// The higher layer's answer (3.2.4.2).
public enum TetheringResult: Sendable, Hashable {
    case started(BringUpSuccessResponse)
    case failed(BringUpFailureResponse)
}

/// `--provider`: which higher layer answers requests.
public enum TetheringProviderSpec {
    /// Parses `static:…`, `fail:…` or `networkmanager[:…]`, checking every value now.
    /// `environment` finds `nmcli` (its PATH).
    public static func parse(_ text: String, environment: [String: String]) throws(RoleFailure) -> any TetheringProvider {
        let (kind, rest) = text.firstIndex(of: ":").map { (String(text[..<$0]), String(text[text.index(after: $0)...])) } ?? (text, "")
        let parameters = try ProviderParameters(rest, provider: kind)
        switch kind {
        case "static": return try StaticProvider(parameters)
        case "fail": return try FailProvider(parameters)
        case "networkmanager": return try NetworkManagerProvider(parameters, environment: environment)
        default:
            throw .usage("--provider must be static:ssid=…,passphrase=…,display-name=…[,bssid=…], fail:status=N[,error=TEXT] or networkmanager, not '\(text)'")
        }
    }
}

/// `key=value` pairs separated by commas; `\,` and `\\` stand for a comma and a backslash in a value.
struct ProviderParameters {
    let provider: String
    private(set) var values: [String: String] = [:]

    init(_ text: String, provider: String) throws(RoleFailure) {
        self.provider = provider
        var items: [String] = []
        var current = ""
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "," {
                items.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty || !items.isEmpty { items.append(current) }
        for item in items {
            guard let equals = item.firstIndex(of: "=") else {
                throw .usage("--provider \(provider): '\(item)' is not key=value")
            }
            let key = String(item[..<equals])
            guard values[key] == nil else { throw .usage("--provider \(provider): \(key) is given twice") }
            values[key] = String(item[item.index(after: equals)...])
        }
    }

    /// Takes a value out; whatever is left at the end is unknown.
    mutating func take(_ key: String) -> String? {
        values.removeValue(forKey: key)
    }

    mutating func require(_ key: String) throws(RoleFailure) -> String {
        guard let value = take(key) else { throw .usage("--provider \(provider): \(key)=… is required") }
        return value
    }

    /// `delay=SECONDS`: how long bring-up takes (to simulate a slow radio).
    mutating func delay() throws(RoleFailure) -> Duration? {
        guard let text = take("delay") else { return nil }
        guard let seconds = Double(text) else { throw .usage("--provider \(provider): delay must be a number of seconds, not '\(text)'") }
        return try OptionValidation.seconds(seconds, option: "--provider \(provider) delay", allowZero: true, maximum: 600)
    }

    func finish(known: String) throws(RoleFailure) {
        guard let unknown = values.keys.sorted().first else { return }
        throw .usage("--provider \(provider): unknown parameter '\(unknown)'; it takes \(known)")
    }
}
