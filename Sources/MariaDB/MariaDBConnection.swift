import CMariaDB
import NIOConcurrencyHelpers
import NIOPosix

/// `mysql_library_init` is a macro Swift cannot call; this runs its function once,
/// before any thread calls `mysql_init`.
private let libraryInitialized: Bool = mysql_server_init(0, nil, nil) == 0

/// One connection to a MariaDB server through Connector/C.
///
/// Every blocking library call runs on the given `NIOThreadPool`, never on
/// Swift's cooperative pool; calls on one connection are serialized.
public final class MariaDBConnection: @unchecked Sendable {
    // Guarded by `lock`; touched only inside thread-pool work items.
    private var handle: UnsafeMutablePointer<MYSQL>?
    private let lock = NIOLock()
    private let threadPool: NIOThreadPool

    private init(handle: UnsafeMutablePointer<MYSQL>, threadPool: NIOThreadPool) {
        self.handle = handle
        self.threadPool = threadPool
    }

    deinit {
        if let handle { mysql_close(handle) }
    }

    /// Opens a connection, with `utf8mb4` as the connection character set.
    public static func connect(_ configuration: MariaDBConfiguration, threadPool: NIOThreadPool = .singleton) async throws -> MariaDBConnection {
        try await threadPool.runIfActive {
            precondition(libraryInitialized, "mysql_server_init failed")
            guard let handle = mysql_init(nil) else {
                throw MariaDBError(.connectionFailed, message: "mysql_init returned NULL (out of memory)")
            }
            var timeout = configuration.timeoutSeconds
            mysql_options(handle, MYSQL_OPT_CONNECT_TIMEOUT, &timeout)
            mysql_options(handle, MYSQL_OPT_READ_TIMEOUT, &timeout)
            mysql_options(handle, MYSQL_OPT_WRITE_TIMEOUT, &timeout)
            mysql_options(handle, MYSQL_SET_CHARSET_NAME, "utf8mb4")
            let connected: UnsafeMutablePointer<MYSQL>?
            switch configuration.endpoint {
            case .tcp(let host, let port):
                connected = mysql_real_connect(handle, host, configuration.user, configuration.password, configuration.database, UInt32(port), nil, 0)
            case .unixSocket(let path):
                connected = mysql_real_connect(handle, "localhost", configuration.user, configuration.password, configuration.database, 0, path, 0)
            }
            guard connected != nil else {
                let error = Self.lastError(of: handle, code: .connectionFailed)
                mysql_close(handle)
                throw error
            }
            return MariaDBConnection(handle: handle, threadPool: threadPool)
        }
    }

    /// Runs a statement that returns rows and collects them.
    public func query(_ sql: SQL) async throws -> [MariaDBRow] {
        try await withHandle { handle in
            try Self.run(sql, on: handle)
            guard let result = mysql_store_result(handle) else {
                if mysql_field_count(handle) == 0 { return [] }
                throw Self.lastError(of: handle, code: .queryFailed)
            }
            defer { mysql_free_result(result) }
            return Self.rows(of: result)
        }
    }

    /// Runs a statement that returns no rows; answers the number of affected rows.
    @discardableResult
    public func execute(_ sql: SQL) async throws -> UInt64 {
        try await withHandle { handle in
            try Self.run(sql, on: handle)
            if let result = mysql_store_result(handle) { mysql_free_result(result) }
            return mysql_affected_rows(handle)
        }
    }

    /// Closes the connection; later calls throw ``MariaDBError/Code/connectionClosed``.
    public func close() async {
        _ = try? await threadPool.runIfActive { [self] in
            lock.withLock {
                if let handle { mysql_close(handle) }
                handle = nil
            }
        }
    }

    private func withHandle<T: Sendable>(_ body: @escaping @Sendable (UnsafeMutablePointer<MYSQL>) throws -> T) async throws -> T {
        try await threadPool.runIfActive { [self] in
            try lock.withLock {
                guard let handle else {
                    throw MariaDBError(.connectionClosed, message: "the connection was closed")
                }
                return try body(handle)
            }
        }
    }

    private static func run(_ sql: SQL, on handle: UnsafeMutablePointer<MYSQL>) throws {
        let text = sql.render { escape($0, on: handle) }
        let status = text.utf8CString.withUnsafeBufferPointer { buffer in
            mysql_real_query(handle, buffer.baseAddress, UInt(buffer.count - 1))
        }
        guard status == 0 else { throw lastError(of: handle, code: .queryFailed) }
    }

    /// Escapes `value` for use inside single quotes, with the connection's character set.
    private static func escape(_ value: String, on handle: UnsafeMutablePointer<MYSQL>) -> String {
        let source = Array(value.utf8)
        var target = [CChar](repeating: 0, count: source.count * 2 + 1)
        let length = source.withUnsafeBufferPointer { from in
            from.withMemoryRebound(to: CChar.self) { from in
                mysql_real_escape_string(handle, &target, from.baseAddress, UInt(from.count))
            }
        }
        return String(decoding: target[0..<Int(length)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func rows(of result: UnsafeMutablePointer<MYSQL_RES>) -> [MariaDBRow] {
        let fieldCount = Int(mysql_num_fields(result))
        let fields = mysql_fetch_fields(result)
        let columns = (0..<fieldCount).map { String(cString: fields![$0].name) }
        var rows: [MariaDBRow] = []
        while let row = mysql_fetch_row(result) {
            let lengths = mysql_fetch_lengths(result)!
            let values: [String?] = (0..<fieldCount).map { index in
                guard let cell = row[index] else { return nil }
                let bytes = UnsafeRawBufferPointer(start: cell, count: Int(lengths[index]))
                return String(decoding: bytes, as: UTF8.self)
            }
            rows.append(MariaDBRow(columns: columns, values: values))
        }
        return rows
    }

    private static func lastError(of handle: UnsafeMutablePointer<MYSQL>, code: MariaDBError.Code) -> MariaDBError {
        MariaDBError(
            code,
            number: mysql_errno(handle),
            sqlState: String(cString: mysql_sqlstate(handle)),
            message: String(cString: mysql_error(handle))
        )
    }
}
