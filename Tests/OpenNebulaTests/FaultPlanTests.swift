import OpenNebulaSimulator
import Testing

@Suite("onesim --faults SPEC")
struct FaultPlanTests {
    @Test func rulesByRateAndByVM() throws {
        let plan = try FaultPlan(parsing: "allocate:0.25, fail@3,vanish:1,slow:0.5:2500,slow@7:100,auth:0")
        #expect(plan.rules.map(\.kind) == [.allocate, .fail, .vanish, .slow, .slow, .auth])
        #expect(plan.rules[0].target == .rate(0.25))
        #expect(plan.rules[1].target == .vm(3))
        #expect(plan.rules[3].delay == .milliseconds(2500))
        #expect(plan.rules[4].target == .vm(7))
        #expect(try FaultPlan(parsing: "").rules.isEmpty)
    }

    @Test(arguments: ["explode:1", "allocate", "allocate:2", "fail@x", "slow:1", "slow:1:soon", "auth@3", "vanish:0.5:9"])
    func badSpecsAreRefused(spec: String) {
        #expect(throws: FaultSpecError.self) { try FaultPlan(parsing: spec) }
    }
}
