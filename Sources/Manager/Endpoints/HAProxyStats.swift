/// HAProxy's `show stat` CSV as Prometheus text: per server in use, its
/// current and total sessions, connection and response errors, and whether its check passes.
enum HAProxyStats {
    static func prometheusLines(fromCSV csv: String) -> String {
        let rows = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = rows.first, header.first?.hasPrefix("# ") == true else { return "" }
        let names = [String(header[0].dropFirst(2))] + header.dropFirst()
        func column(_ name: String) -> Int? { names.firstIndex(of: name) }
        guard let proxy = column("pxname"), let server = column("svname"), let current = column("scur"), let total = column("stot"),
            let connectErrors = column("econ"), let responseErrors = column("eresp"), let status = column("status"), let address = column("addr")
        else { return "" }
        var sessions: [String] = [], totals: [String] = [], errors: [String] = [], up: [String] = []
        for row in rows.dropFirst() where row.count > max(address, status) {
            guard !["FRONTEND", "BACKEND"].contains(row[server]), row[status] != "MAINT" else { continue }
            let labels = #"{endpoint="\#(row[proxy])",slot="\#(row[server])",server="\#(row[address])"}"#
            sessions.append("conpaassql_endpoint_sessions\(labels) \(Int(row[current]) ?? 0)")
            totals.append("conpaassql_endpoint_sessions_total\(labels) \(Int(row[total]) ?? 0)")
            errors.append("conpaassql_endpoint_errors_total\(labels) \((Int(row[connectErrors]) ?? 0) + (Int(row[responseErrors]) ?? 0))")
            up.append("conpaassql_endpoint_server_up\(labels) \(row[status].hasPrefix("UP") ? 1 : 0)")
        }
        let families = [
            ("conpaassql_endpoint_sessions", "gauge", "Sessions open through an endpoint to a node", sessions),
            ("conpaassql_endpoint_sessions_total", "counter", "Sessions through an endpoint to a node", totals),
            ("conpaassql_endpoint_errors_total", "counter", "Connection and response errors through an endpoint to a node", errors),
            ("conpaassql_endpoint_server_up", "gauge", "Whether HAProxy's check of a node passes", up),
        ]
        return families.filter { !$0.3.isEmpty }.map { name, type, help, lines in
            (["# HELP \(name) \(help)", "# TYPE \(name) \(type)"] + lines).joined(separator: "\n") + "\n"
        }.joined()
    }
}
