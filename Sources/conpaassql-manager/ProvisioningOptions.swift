import ArgumentParser
import Manager

/// Options that tune provisioning (tests shorten them).
struct ProvisioningOptions: ParsableArguments {
    @Option(help: "VM creations per node before it is FAILED.")
    var maxAttempts = 3

    @Option(help: "Seconds an agent may take to report after its VM runs.")
    var bootstrapTimeout = 180

    @Option(help: "Seconds a VM may take to be running.")
    var confirmTimeout = 300

    @Option(help: "Milliseconds between two provisioning rounds (one cloud query each).")
    var pollIntervalMs = 500

    @Option(help: "Seconds without an answer before a running node is FAILED.")
    var healthTimeout = 20

    var policy: ProvisioningPolicy {
        ProvisioningPolicy(
            maxAttempts: maxAttempts, confirmTimeout: .seconds(confirmTimeout), bootstrapTimeout: .seconds(bootstrapTimeout),
            pollInterval: .milliseconds(pollIntervalMs), healthTimeout: .seconds(healthTimeout))
    }

    func validate() throws {
        guard maxAttempts >= 1, bootstrapTimeout >= 1, confirmTimeout >= 1, pollIntervalMs >= 10, healthTimeout >= 1 else {
            throw ValidationError("provisioning limits must be positive (poll interval at least 10 ms)")
        }
    }
}
