/// HAProxy's configuration for one service, under `STATE/haproxy/`: a writer
/// and a reader frontend in TCP mode, each with a backend of preallocated
/// server slots that start in maintenance. The manager points the slots at
/// nodes through the admin socket (``EndpointPlanner``), never by reloading;
/// HAProxy checks the servers itself (TCP, every second), so a dead master
/// leaves the writer even while the manager is down. Listeners do not share
/// their port (`noreuseport`): by default a second HAProxy on the same address,
/// one left running by an earlier manager, binds beside the first and the kernel
/// splits new connections between them, half of them routed by slots nobody
/// steers any more. Reloads stay seamless: the master hands the listening sockets over.
/// One worker thread (`nbthread 1`): with one per core, every thread woke for each
/// new connection and all but one found nothing to accept, and on a quiet machine
/// the writer's connect + query + close took about 4% longer (`scripts/bench-endpoints`);
/// one thread carries far more connections than a database service opens.
struct HAProxyConfig: Sendable, Equatable {
    let options: EndpointOptions
    /// Reader slots: one per node the service may have.
    let readerSlots: Int
    /// `STATE/haproxy`.
    let directory: String

    var configPath: String { "\(directory)/haproxy.cfg" }
    var socketPath: String { "\(directory)/admin.sock" }
    var pidPath: String { "\(directory)/haproxy.pid" }

    /// The writer backend's one slot.
    static let writerSlot = ServerSlot.ID(backend: "writer", name: "master")
    /// The reader backend's backup slot: the master, used when no replica qualifies.
    static let fallbackSlot = ServerSlot.ID(backend: "reader", name: "master")

    /// The reader backend's replica slots.
    var readerSlotIDs: [ServerSlot.ID] { (1...readerSlots).map { ServerSlot.ID(backend: "reader", name: "r\($0)") } }

    /// The file's text.
    func render() -> String {
        let check = "check inter 1s fall 2 rise 1"
        var lines = [
            "# Written by conpaassql-manager; the servers are set through the admin socket.",
            "global",
            "    master-worker",
            "    pidfile \(pidPath)",
            "    stats socket \(socketPath) mode 600 level admin",
            "    maxconn 4096",
            "    noreuseport",
            "    nbthread 1",
            "",
            "defaults",
            "    mode tcp",
            "    timeout connect 2s",
            "    timeout client 8h",
            "    timeout server 8h",
            "    timeout check 1s",
            "",
            "frontend writer",
            "    bind \(options.endpoint(options.writerPort))",
            "    default_backend writer",
            "",
            "backend writer",
            "    server master 127.0.0.1:1 disabled \(check)",
            "",
            "frontend reader",
            "    bind \(options.endpoint(options.readerPort))",
            "    default_backend reader",
            "",
            "backend reader",
            "    balance leastconn",
        ]
        lines += readerSlotIDs.map { "    server \($0.name) 127.0.0.1:1 disabled \(check)" }
        lines.append("    server master 127.0.0.1:1 disabled backup \(check)")
        return lines.joined(separator: "\n") + "\n"
    }
}
