extension StringProtocol {
    /// The text without white space and line breaks at either end: Foundation's
    /// `trimmingCharacters(in: .whitespacesAndNewlines)` for modules that do without Foundation.
    public func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}
