import Foundation
import Glibc
import NIOCore
import SSTPCore
import WinteropTransport
import WinteropWire

extension SSTPSendConfiguration {
    /// The configuration `sstp send` asks for, with its rules checked: non-empty ASCII
    /// URLs, readable files (a directory sends its files, a quoted glob the files it
    /// matches), positive times. Throws ``RoleFailure/usage(_:)`` (exit 2) naming the option.
    /// No `files` sends standard input as one message; `standardInputMessages` reads it as
    /// length-prefixed messages (``StandardInputMessages``).
    public init(
        to: String, targetDevice: String, deviceURL: String, resource: String, identity: String, device: String = "",
        files: [String] = [], version: SSTP.Version = .v1_6, options: SSTP.MessageOptions = .init(),
        userRef: String? = nil, streamSize: Bool = true, timeout: Double = 60, standardInputMessages: Bool = false,
        fanout: [String] = []
    ) throws(RoleFailure) {
        guard !resource.isEmpty, !identity.isEmpty || !fanout.isEmpty, ASCII.encode(resource + identity + device + targetDevice + deviceURL) != nil else {
            throw .usage("sstp send: --resource and --identity (or --fanout) must be non-empty, and every URL ASCII")
        }
        let fanoutEntries = try fanout.map(Self.fanoutEntry)
        let address = try OptionValidation.hostPort(to, defaultPort: SSTP.port, option: "--to")
        var connection = SSTP.ConnectionConfiguration(version: version, localDeviceURLs: [deviceURL])
        let wait = try OptionValidation.seconds(timeout, option: "--timeout")
        connection.timers.connectionEstablishment = wait
        connection.timers.sessionEstablishment = wait
        connection.timers.connectTimeout = wait
        let messages: [SSTPOutgoingMessage]
        if standardInputMessages {
            guard files.isEmpty else { throw .usage("sstp send: give either --file or --stdin-messages, not both") }
            let split = try StandardInputMessages.split(try StandardInputMessages.readAll())
            guard !split.isEmpty else { throw .usage("sstp send --stdin-messages: standard input holds no message") }
            messages = split.enumerated().map { index, bytes in
                var each = options
                each.userRef = userRef ?? "stdin#\(index + 1)"
                return SSTPOutgoingMessage(name: "stdin#\(index + 1)", source: .bytes(bytes), options: each)
            }
        } else if files.isEmpty {
            var standardInput = options
            standardInput.userRef = userRef ?? ""
            messages = [SSTPOutgoingMessage(name: "-", source: .standardInput, options: standardInput)]
        } else {
            messages = try Self.expand(files).map { path in
                var each = options
                each.userRef = userRef ?? URL(fileURLWithPath: path).lastPathComponent
                return SSTPOutgoingMessage(name: path, source: .file(path), options: each)
            }
        }
        self.init(
            to: address, connection: connection, targetDeviceURL: targetDevice,
            entry: SSTP.AddressingEntry(resourceURL: resource, identityURL: identity, deviceURL: device),
            messages: messages, streamSize: streamSize
        )
        self.fanout = fanoutEntries
    }

    /// One `--fanout IDENTITYURL=[DEVICEURL][@RELAYURL]`: a FanoutOpen entry (2.2.6.1); an empty
    /// DeviceURL targets the identity, an empty RelayURL the relay connected to.
    static func fanoutEntry(_ text: String) throws(RoleFailure) -> SSTP.FanoutOpen.Entry {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex, ASCII.encode(text) != nil else {
            throw .usage("sstp send: --fanout takes IDENTITYURL=[DEVICEURL][@RELAYURL] (ASCII URLs), not \"\(text)\"")
        }
        let rest = text[text.index(after: equals)...]
        let at = rest.lastIndex(of: "@")
        return SSTP.FanoutOpen.Entry(
            identityURL: String(text[..<equals]),
            deviceURL: String(rest[..<(at ?? rest.endIndex)]),
            relayURL: at.map { String(rest[rest.index(after: $0)...]) } ?? ""
        )
    }

    /// Each `--file` as the files it names: a file itself, a directory's regular files
    /// (not hidden, by name), or a glob pattern's matches (for a pattern the shell did not expand).
    static func expand(_ arguments: [String]) throws(RoleFailure) -> [String] {
        var paths: [String] = []
        for argument in arguments {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) {
                if isDirectory.boolValue {
                    let names = ((try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
                    let files = names.map { "\(argument)/\($0)" }.filter(isRegularFile)
                    guard !files.isEmpty else { throw .usage("sstp send: --file \(argument) is a directory with no files to send") }
                    paths += files
                } else {
                    paths.append(argument)
                }
            } else if argument.contains(where: { "*?[".contains($0) }) {
                let matches = glob(argument).filter(isRegularFile)
                guard !matches.isEmpty else { throw .usage("sstp send: --file \(argument) matches no file") }
                paths += matches
            } else {
                paths.append(argument)
            }
        }
        for path in paths where !FileManager.default.isReadableFile(atPath: path) {
            throw .usage("sstp send: cannot read --file \(path)")
        }
        return paths
    }

    private static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    private static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
        return (0..<Int(result.gl_pathc)).compactMap { index in result.gl_pathv[index].map { String(cString: $0) } }
    }
}
