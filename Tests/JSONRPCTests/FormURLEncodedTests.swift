@testable import JSONRPC
import Testing

@Suite("GET query strings")
struct FormURLEncodedTests {
    @Test("'+' is a space, %XX a byte, the first of a repeated name wins; a bad escape or bytes that are not UTF-8 refuse the query")
    func decoding() {
        #expect(FormURLEncoded.decode("method=a+b&params=%7B%7D&method=c&flag") == ["method": "a b", "params": "{}", "flag": ""])
        #expect(FormURLEncoded.decode("x=%C3%A9%2b%25&&y=") == ["x": "é+%", "y": ""])
        for bad in ["x=%zz", "x=%4", "x=%", "x=%FF", "%=1"] {
            #expect(FormURLEncoded.decode(bad) == nil, "\(bad)")
        }
    }
}
