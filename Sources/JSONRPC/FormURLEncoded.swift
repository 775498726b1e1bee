import Foundation

/// Reading `application/x-www-form-urlencoded` text, as in a GET query string.
enum FormURLEncoded {
    /// The pairs of `query`, `+` read as a space; the first of a repeated name wins,
    /// as in the original service. Nil when a percent escape is malformed.
    static func decode(_ query: String) -> [String: String]? {
        var pairs: [String: String] = [:]
        for item in query.split(separator: "&", omittingEmptySubsequences: true) {
            let halves = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = unescape(halves[0]), let value = unescape(halves.count > 1 ? halves[1] : "") else {
                return nil
            }
            if pairs[name] == nil { pairs[name] = value }
        }
        return pairs
    }

    private static func unescape(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
