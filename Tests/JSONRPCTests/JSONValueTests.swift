import Foundation
import JSONRPC
import Testing

@Suite("JSONValue")
struct JSONValueTests {
    @Test("literals build the matching cases")
    func literals() {
        let value: JSONValue = ["s": "text", "i": 7, "d": 2.5, "b": true, "n": nil, "a": [1, "two"]]
        #expect(value == .object([
            "s": .string("text"), "i": .int(7), "d": .double(2.5), "b": .bool(true), "n": .null,
            "a": .array([.int(1), .string("two")]),
        ]))
    }

    @Test("accessors read only their own case; intValue also takes integral doubles")
    func accessors() {
        let value: JSONValue = ["name": "db1", "port": 3306, "ratio": 2.0, "half": 0.5, "up": false]
        #expect(value["name"]?.stringValue == "db1")
        #expect(value["port"]?.intValue == 3306)
        #expect(value["ratio"]?.intValue == 2)
        #expect(value["half"]?.intValue == nil)
        #expect(value["up"]?.boolValue == false)
        #expect(value["port"]?.stringValue == nil)
        #expect(value["missing"] == nil)
        #expect(JSONValue.string("x")["key"] == nil)
        #expect(JSONValue.array([1]).arrayValue == [1])
        #expect(value.objectValue?.count == 5)
    }

    @Test("description is compact JSON with sorted keys")
    func description() {
        let value: JSONValue = ["z": 1, "a": [true, nil, 1.5], "m": ["y": "q\"uote\\", "b": "line\nbreak\u{01}"]]
        #expect(value.description == #"{"a":[true,null,1.5],"m":{"b":"line\nbreak\u0001","y":"q\"uote\\"},"z":1}"#)
        #expect(JSONValue.double(1.0).description == "1.0")
        #expect(JSONValue.double(.infinity).description == "null")
    }

    @Test("strings escape quotes, backslashes and every control character, and keep other UTF-8 as it is")
    func stringEscapes() {
        let value = JSONValue.string("\u{00}\u{08}\u{0C}\t\r\n\u{1F} \"\\ é☃😀\u{7F}/")
        #expect(value.description == #""\u0000\b\f\t\r\n\u001f \"\\ é☃😀"# + "\u{7F}/\"")
        #expect(value.utf8 == Array(value.description.utf8))
    }

    @Test("text round trips keep ints, doubles and unicode apart", arguments: [
        #"{"id":"1","count":3,"ratio":1.0,"big":1e300,"neg":-0.25,"list":[],"obj":{}}"#,
        #"["héllo ☃ 😀",null,false,-9223372036854775808]"#,
        #""just a string""#,
    ])
    func textRoundTrip(text: String) throws {
        let value = try JSONValue(parsing: text)
        #expect(try JSONValue(parsing: value.description) == value)
    }

    @Test("parsing distinguishes 1 from 1.0 and decodes escapes")
    func parsingNumbersAndEscapes() throws {
        #expect(try JSONValue(parsing: "[1, 1.0, 1e2, 99999999999999999999]") == [1, 1.0, 100.0, 1e20])
        #expect(try JSONValue(parsing: #""\u00e9\ud83d\ude00\/\t""#) == "é😀/\t")
    }

    /// Found by `scripts/fuzz` (jsonrpc-request): JSONSerialization hands some
    /// doubles over as NSDecimalNumber, whose `doubleValue` rounds wrongly and
    /// whose digits hide a fraction, so a double the server wrote read back as
    /// another double, or as an integer.
    @Test("doubles read as decimals keep their exact value and stay doubles", arguments: [
        "1.8443372036854776e+19", "18443372036854775807.5", "1.2345678901234567e-5", "123456789012345678901234567890",
        "1.8446744073709553e+18", "1234567890123456789.0",
    ])
    func decimalDoubles(text: String) throws {
        let value = try JSONValue(parsing: text)
        #expect(value == .double(try #require(Double(text))))
        #expect(try JSONValue(parsing: value.description) == value)
    }

    @Test("malformed text is refused with a reason", arguments: [
        "", "{", #"{"a" 1}"#, "01", "1.", "tru", #""\x""#, #""\ud800""#, "1 2", "nan", "1e400", "\"a\u{01}b\"",
        "[" + String(repeating: "[", count: 600),
    ])
    func malformed(text: String) throws {
        let error = try #require(throws: JSONParseError.self) { try JSONValue(parsing: text) }
        #expect(!error.reason.isEmpty)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: [0x22, 0xFF, 0x22]) }
    }

    @Test("big numbers, repeated names and a trailing comma are read as Foundation reads them")
    func foundationRules() throws {
        #expect(try JSONValue(parsing: "[-9223372036854775808, 9223372036854775807, 18446744073709551615, -0, -0.0]")
            == [.int(.min), .int(.max), .double(0x1p64), 0, -0.0])
        #expect(try JSONValue(parsing: #"{"a": 1, "a": 2}"#) == ["a": 2])
        #expect(try JSONValue(parsing: "[1,]") == [1])
        #expect(try JSONValue(parsing: #"[true, false, 1, 0]"#) == [true, false, 1, 0])
    }

    @Test("a leading byte order mark is skipped; a negative integer of 19 digits stays an integer")
    func readerRules() throws {
        #expect(try JSONValue(parsing: [0xEF, 0xBB, 0xBF] + Array("[1]".utf8)) == [1])
        #expect(try JSONValue(parsing: "-1234567890123456789") == .int(-1_234_567_890_123_456_789))
        #expect(try JSONValue(parsing: #"{"a": 1,}"#) == ["a": 1])
    }

    struct Node: Codable, Equatable {
        let id: Int
        let ip: String
        let isMaster: Bool
        let lag: Double?
    }

    @Test("Codable bridges: init(encoding:) and decode(_:)")
    func codable() throws {
        let node = Node(id: 4, ip: "127.0.1.2", isMaster: true, lag: 0.5)
        let value = try JSONValue(encoding: node)
        #expect(value == ["id": 4, "ip": "127.0.1.2", "isMaster": true, "lag": 0.5])
        #expect(try value.decode(Node.self) == node)
        #expect(throws: DecodingError.self) { try JSONValue.string("no").decode(Node.self) }
    }

    @Test("JSONEncoder and JSONDecoder carry JSONValue unchanged")
    func foundationCoders() throws {
        let value: JSONValue = ["a": [1, 2.5, "x", nil, true], "b": ["c": -3]]
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
    }
}
