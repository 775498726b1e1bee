import Foundation
import JSONRPC
import Synchronization

/// An error that is not an `RPCError`, carrying text that must never reach the caller.
struct DatabaseExploded: Error, CustomStringConvertible {
    var description: String { "connection to 10.0.0.1 lost, password=hunter2" }
}

/// What the upload handler saw, so tests can check it after the call.
struct SeenUpload: Sendable {
    let file: UploadedFile
    let content: String
    let params: [String: JSONValue]
}

/// Remembers the upload handler's calls.
final class UploadRecorder: Sendable {
    private let seen = Mutex<[SeenUpload]>([])

    var uploads: [SeenUpload] { seen.withLock { $0 } }

    func record(_ upload: SeenUpload) { seen.withLock { $0.append(upload) } }
}

/// One method, `count`, that counts its calls: for checking that a refused request ran nothing.
final class CallCounter: Sendable {
    private let count = Mutex(0)

    var calls: Int { count.withLock { $0 } }

    var methods: RPCMethods {
        var methods = RPCMethods()
        methods.register("count", kind: .post) { [self] _ in
            count.withLock { $0 += 1 }
            return [:]
        }
        return methods
    }
}

/// The method table the server tests run against.
func testMethods(uploads: UploadRecorder = UploadRecorder()) -> RPCMethods {
    var methods = RPCMethods()
    methods.register("echo", kind: .post) { params in .object(params.values) }
    methods.register("list_nodes", kind: .get) { params in
        ["masters": [1], "slaves": [2, 3], "params": .object(params.values)]
    }
    methods.register("add", kind: .post) { params in
        try params.expectOnly(["a", "b"])
        return .int(try params.int("a") + params.int("b"))
    }
    methods.register("refuse", kind: .post) { _ in throw RPCError.wrongState }
    methods.register("explode", kind: .post) { _ in throw DatabaseExploded() }
    methods.register("send_mysqldump", kind: .upload) { params in
        let file = try params.file("mysqldump")
        let content = try String(contentsOfFile: file.path, encoding: .utf8)
        uploads.record(SeenUpload(file: file, content: content, params: params.values))
        return ["size": .int(Int(file.size)), "node": params.values["serviceNodeId"] ?? .null]
    }
    methods.register("reject_dump", kind: .upload) { params in
        let file = try params.file("mysqldump")
        uploads.record(SeenUpload(file: file, content: "", params: params.values))
        throw RPCError.failed("dump rejected")
    }
    return methods
}
