import Foundation
import ZIPFoundation

/// OPC packages (ECMA-376 Part 2) as MS-NFPS shares them (1.3): a ZIP with
/// `[Content_Types].xml` and one part per file.
///
/// ZIPFoundation writes an archive by seeking back to fill in each local header, so
/// a package cannot be streamed to a socket while it is built: `send` builds it into
/// a temporary file and streams from that; `receive` stores the decrypted stream in
/// a hidden file and unpacks it once the footer has checked out (a ZIP's directory
/// is at its end).
enum OPCPackage {
    static let contentTypesPartName = "[Content_Types].xml"

    /// Packs `files` into a new package at `destination`.
    static func build(files: [String], at destination: URL) throws {
        let archive: Archive
        do {
            archive = try Archive(url: destination, accessMode: .create)
        } catch {
            throw OPCError("cannot create the package '\(destination.path)': \(error)")
        }
        let names = files.map { URL(fileURLWithPath: $0).lastPathComponent }
        let types = Data(contentTypes(for: names).utf8)
        try archive.addEntry(
            with: contentTypesPartName, type: .file, uncompressedSize: Int64(types.count), compressionMethod: .deflate
        ) { position, size in
            types.subdata(in: Int(position)..<Int(position) + size)
        }
        for (path, name) in zip(files, names) {
            do {
                try archive.addEntry(with: zipItemName(forFileName: name), fileURL: URL(fileURLWithPath: path), compressionMethod: .none, bufferSize: 1 << 20)
            } catch {
                throw OPCError("cannot pack '\(path)': \(error)")
            }
        }
    }

    /// Unpacks the parts of `package` into `directory` and returns their relative paths.
    /// Every part is first extracted into a hidden staging folder inside `directory`;
    /// only when all are out and checked (CRC-32) are they moved into place. A part name
    /// that would leave the directory (`..`, absolute, backslashes) fails the whole package.
    static func unpack(_ package: URL, into directory: URL) throws -> [String] {
        let archive: Archive
        do {
            archive = try Archive(url: package, accessMode: .read)
        } catch {
            throw OPCError("the package is not a valid OPC package (ZIP): \(error)")
        }
        var parts: [(entry: Entry, path: String)] = []
        var sawContentTypes = false
        for entry in archive {
            let name = entry.path
            if name == contentTypesPartName { sawContentTypes = true; continue }
            if name.hasPrefix("_rels/") || name.contains("/_rels/") { continue }
            switch entry.type {
            case .directory: continue
            case .symlink: throw OPCError("the package holds a symbolic link '\(name)'; refusing it")
            case .file: break
            }
            parts.append((entry, try safeRelativePath(forZipItemName: name)))
        }
        guard sawContentTypes else {
            throw OPCError("the package has no [Content_Types].xml, so it is not an OPC package")
        }
        let fileManager = FileManager.default
        let staging = directory.appendingPathComponent(".winterop-nfps-\(UUID().uuidString).unpack")
        try fileManager.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? fileManager.removeItem(at: staging) }
        for part in parts {
            do {
                _ = try archive.extract(part.entry, to: staging.appendingPathComponent(part.path), bufferSize: 1 << 20)
            } catch {
                throw OPCError("cannot unpack the part '\(part.path)': \(error)")
            }
        }
        // Everything is out: move the top-level items into place.
        let topLevel = Set(parts.map { String($0.path.split(separator: "/").first ?? "") })
        for item in topLevel {
            let target = directory.appendingPathComponent(item)
            if fileManager.fileExists(atPath: target.path) {
                throw OPCError("'\(target.path)' already exists; move it away or receive into another --out directory")
            }
        }
        for item in topLevel.sorted() {
            try fileManager.moveItem(at: staging.appendingPathComponent(item), to: directory.appendingPathComponent(item))
        }
        return parts.map(\.path)
    }

    // MARK: Names

    /// The ZIP item name of a part for `fileName`: its part name without the leading
    /// slash, percent-encoded as part names are (ECMA-376 Part 2, 6.2.2).
    static func zipItemName(forFileName fileName: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-._~!$&'()*+,;=:@")
        return fileName.addingPercentEncoding(withAllowedCharacters: allowed) ?? fileName
    }

    /// The relative path a ZIP item name stands for, or an error if it would not stay
    /// inside the output directory.
    static func safeRelativePath(forZipItemName name: String) throws -> String {
        let decoded = name.removingPercentEncoding ?? name
        let segments = decoded.split(separator: "/", omittingEmptySubsequences: false)
        guard !decoded.isEmpty, !decoded.hasPrefix("/"), !decoded.contains("\\"), !decoded.contains("\0"),
              segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." })
        else {
            throw OPCError("the package has a part named '\(name)', which would land outside the output directory; refusing the package")
        }
        return decoded
    }

    /// `[Content_Types].xml`: a Default per extension, an Override per part without one.
    static func contentTypes(for names: [String]) -> String {
        var defaults: [String: String] = [:]
        var overrides: [String] = []
        for name in names {
            let ext = (name as NSString).pathExtension.lowercased()
            if ext.isEmpty {
                overrides.append(name)
            } else {
                defaults[ext] = contentType(forExtension: ext)
            }
        }
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#
        xml += #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#
        for (ext, type) in defaults.sorted(by: { $0.key < $1.key }) {
            xml += #"<Default Extension="\#(escape(ext))" ContentType="\#(type)"/>"#
        }
        for name in overrides {
            xml += #"<Override PartName="/\#(escape(zipItemName(forFileName: name)))" ContentType="application/octet-stream"/>"#
        }
        return xml + "</Types>"
    }

    static func contentType(forExtension ext: String) -> String {
        switch ext {
        case "jpg", "jpeg": return "image/jpeg"
        case "png": return "image/png"
        case "gif": return "image/gif"
        case "txt": return "text/plain"
        case "pdf": return "application/pdf"
        case "xml": return "application/xml"
        default: return "application/octet-stream"
        }
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}

struct OPCError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
