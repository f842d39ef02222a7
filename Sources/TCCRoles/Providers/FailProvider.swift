import TCCCore
import WinteropTransport

/// `fail:status=N[,error=TEXT][,delay=SECONDS]`: always fails with that StatusCode, for
/// testing clients. N is a number 1–255 or a StatusCodeEnum name (2.2.1.2).
public struct FailProvider: TetheringProvider {
    public let failure: BringUpFailureResponse
    public let delay: Duration?

    init(_ parameters: ProviderParameters) throws(RoleFailure) {
        var parameters = parameters
        let text = try parameters.require("status")
        guard let status = StatusCodeEnum(name: text) else {
            throw .usage("--provider fail: status must be a number 1–255 or one of \(StatusCodeEnum.defined.dropFirst().compactMap(\.name).joined(separator: ", ")), not '\(text)'")
        }
        guard let failure = BringUpFailureResponse(statusCode: status, errorString: parameters.take("error")) else {
            throw .usage("--provider fail: status 0 is Success, which a BringUpFailureResponse MUST NOT carry (MS-TCC 2.2.3.4)")
        }
        delay = try parameters.delay()
        try parameters.finish(known: "status, error and delay")
        self.failure = failure
    }

    public var summary: String { "always failing with \(failure.statusCode)" }

    public func startTethering() async -> TetheringResult {
        if let delay { try? await Task.sleep(for: delay) }
        return .failed(failure)
    }
}
