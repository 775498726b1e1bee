/// Where the manager's HAProxy serves the service's two endpoints.
public struct EndpointOptions: Sendable, Equatable {
    /// The address both endpoints listen on.
    public var address: String
    /// The writer: TCP to the one writable master.
    public var writerPort: Int
    /// The reader: balanced over current replicas (the master when none qualifies).
    public var readerPort: Int
    /// A replica lagging more than this (heartbeat lag) leaves the reader.
    public var readerMaxLag: Duration

    public init(address: String, writerPort: Int = 3306, readerPort: Int = 3307, readerMaxLag: Duration = .seconds(10)) {
        self.address = address
        self.writerPort = writerPort
        self.readerPort = readerPort
        self.readerMaxLag = readerMaxLag
    }

    /// `ADDR:PORT` (IPv6 in brackets).
    func endpoint(_ port: Int) -> String {
        address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
    }
}
