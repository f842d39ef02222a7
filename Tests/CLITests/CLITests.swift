import Foundation
import Testing
import WinteropTestSupport

/// Runs the built `winterop` executable as a person would and checks what it prints
/// and its exit status (0 success, 1 protocol or peer failure, 2 usage).
@Suite struct CLITests {
    static func run(_ arguments: [String], stdin: Data? = nil) throws -> WinteropProcess.Result {
        try WinteropProcess.run(arguments, stdin: stdin)
    }

    @Test func helpShowsTheCommandTree() throws {
        let result = try Self.run(["--help"])
        #expect(result.status == 0)
        for command in ["serve", "decode", "mice", "sstp", "wds", "nfps", "tcc"] {
            #expect(result.stdout.contains("  \(command) "), "--help does not list \(command)")
        }
    }

    @Test func roleHelpExplainsEachRole() throws {
        let result = try Self.run(["wds", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("serve") && result.stdout.contains("request"))
    }

    @Test func unknownOptionIsUsageError() throws {
        let result = try Self.run(["decode", "--no-such-option"])
        #expect(result.status == 2)
    }

    @Test func decodeGenericTLVAsJSON() throws {
        let result = try Self.run(["decode", "tlv", "--json", "01 0002 abcd 02 0001 ff"])
        #expect(result.status == 0)
        #expect(result.stdout == #"{"items":[{"type":1,"length":2,"value":"abcd"},{"type":2,"length":1,"value":"ff"}]}"# + "\n")
    }

    @Test func decodeFromStandardInput() throws {
        let result = try Self.run(["decode", "tlv", "--tlv-format", "2,2,le", "-"], stdin: Data([0x05, 0x00, 0x01, 0x00, 0x7f]))
        #expect(result.status == 0)
        #expect(result.stdout.contains("type: 5") && result.stdout.contains("value: 7f"))
    }

    @Test func malformedInputExitsOneNamingTheRule() throws {
        let result = try Self.run(["decode", "tlv", "01 0009 abcd"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("declares 9 bytes but only 2 remain"))
    }

    @Test func badHexIsUsageError() throws {
        let result = try Self.run(["decode", "tlv", "zz"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("is not hex"))
    }
}
