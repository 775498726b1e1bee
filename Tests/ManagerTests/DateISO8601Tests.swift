import Foundation
@testable import Manager
import Testing

@Suite("Dates as the manager writes them")
struct DateISO8601Tests {
    @Test("iso8601 is what Date.formatted(.iso8601) writes: UTC, whole seconds", arguments: [
        0, 1.999, 951_782_400.5, 1_796_000_000.25, 4_102_444_799.999,
    ])
    func sameAsFoundation(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(date.iso8601 == date.formatted(.iso8601))
    }
}
