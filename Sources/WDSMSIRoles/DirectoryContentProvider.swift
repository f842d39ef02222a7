import Foundation
import WDSMSICore

/// The built-in content provider (3.1.1.1): a namespace's ConfigurationString is a
/// directory, and its content is the regular files under it, named by their path relative
/// to it (`/` or `\` between folders). ContentSize is the file's size; a side file
/// `NAME.metadata` next to the file, when there is one, is the Content Metadata.
public struct DirectoryContentProvider: ContentProvider {
    /// The provider's Name in the registration.
    public static let name = "directory"
    /// The suffix of metadata side files; such files are not content themselves.
    public static let metadataSuffix = ".metadata"

    public init() {}

    public func initialize(configurationString directory: String) throws(ContentProviderError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw ContentProviderError("directory '\(directory)' does not exist")
        }
        guard isDirectory.boolValue else {
            throw ContentProviderError("'\(directory)' is not a directory")
        }
        guard FileManager.default.isReadableFile(atPath: directory) else {
            throw ContentProviderError("directory '\(directory)' is not readable")
        }
    }

    public func content(named content: String, configurationString directory: String) -> Result<ContentInfo, Win32Error> {
        guard let relative = Self.relativePath(content) else { return .failure(.invalidName) }
        let path = directory.hasSuffix("/") ? directory + relative : directory + "/" + relative
        // stat(2) directly: this runs for every request, and FileManager's attribute
        // dictionary costs several times the system call.
        guard let size = Self.regularFileSize(path), !relative.hasSuffix(Self.metadataSuffix) else {
            return .failure(.fileNotFound)
        }
        guard access(path, R_OK) == 0 else { return .failure(.accessDenied) }
        let metadataPath = path + Self.metadataSuffix
        let metadata = Self.regularFileSize(metadataPath) == nil ? nil : FileManager.default.contents(atPath: metadataPath).map { Array($0) }
        return .success(ContentInfo(size: size, metadata: metadata))
    }

    /// The size of a regular file (symbolic links followed), or nil for anything else.
    static func regularFileSize(_ path: String) -> UInt64? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return UInt64(info.st_size)
    }

    /// A content name as a path inside the directory, or nil when it could leave it
    /// (absolute, `..`, empty parts) or holds a NUL.
    static func relativePath(_ content: String) -> String? {
        let parts = content.split(separator: "/", omittingEmptySubsequences: false)
            .flatMap { $0.split(separator: "\\", omittingEmptySubsequences: false) }
        guard !parts.isEmpty, !content.contains("\0"),
              parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." })
        else { return nil }
        return parts.joined(separator: "/")
    }
}
