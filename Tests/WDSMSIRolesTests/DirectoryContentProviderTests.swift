import Foundation
import Testing
import WDSMSICore
@testable import WDSMSIRoles

@Suite struct DirectoryContentProviderTests {
    func makeDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wds-provider-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        try Data(repeating: 7, count: 5000).write(to: URL(fileURLWithPath: dir + "/a.bin"))
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/a.bin.metadata"))
        try Data(count: 10).write(to: URL(fileURLWithPath: dir + "/sub/b.wim"))
        return dir
    }

    @Test func filesAreContentWithSizeAndMetadata() throws {
        let dir = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let provider = DirectoryContentProvider()
        try provider.initialize(configurationString: dir)
        #expect(provider.content(named: "a.bin", configurationString: dir) == .success(ContentInfo(size: 5000, metadata: [1, 2, 3])))
        #expect(provider.content(named: "sub/b.wim", configurationString: dir) == .success(ContentInfo(size: 10)))
        #expect(provider.content(named: "sub\\b.wim", configurationString: dir) == .success(ContentInfo(size: 10)))
    }

    @Test func missingEscapingAndNonFileNamesAreRefused() throws {
        let dir = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let provider = DirectoryContentProvider()
        #expect(provider.content(named: "nope", configurationString: dir) == .failure(.fileNotFound))
        #expect(provider.content(named: "sub", configurationString: dir) == .failure(.fileNotFound))
        #expect(provider.content(named: "a.bin.metadata", configurationString: dir) == .failure(.fileNotFound))
        #expect(provider.content(named: "../etc/passwd", configurationString: dir) == .failure(.invalidName))
        #expect(provider.content(named: "/etc/passwd", configurationString: dir) == .failure(.invalidName))
        #expect(provider.content(named: "", configurationString: dir) == .failure(.invalidName))
    }

    @Test func initializeNeedsADirectory() throws {
        let provider = DirectoryContentProvider()
        #expect(throws: ContentProviderError.self) { try provider.initialize(configurationString: "/nonexistent/wds") }
        let dir = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(throws: ContentProviderError.self) { try provider.initialize(configurationString: dir + "/a.bin") }
    }
}
