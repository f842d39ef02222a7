import NIOCore
import PropertyBased
import TCCCore
import Testing
import WinteropWire

/// Random event sequences against the server: settings go out only for an accepted
/// request, at most one answer per request, and once closed it does nothing more.
@Suite struct ServerPropertyTests {
    static let keys = UnpairedGoldenTests.keys!
    static let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)

    static func event(_ index: Int, _ m: inout ServerStateMachine, now: NIODeadline) -> [ServerStateMachine.Action] {
        let wall = UnpairedGoldenTests.timestamp
        switch index {
        case 0: return m.messageReceived(ClientStateMachineTests.frame(.bringUpStartRequest(.init())), now: now, wallClock: wall)
        case 1: return m.messageReceived((try? TCCFrame.decode(UnpairedGoldenTests.request)) ?? TCCFrame(id: 1, payload: ByteBuffer()), now: now, wallClock: wall)
        case 2: return m.messageReceived(TCCFrame(id: 0x42, payload: ByteBuffer()), now: now, wallClock: wall)
        case 3: return m.messageReceived(TCCFrame(id: 1, payload: ByteBuffer(bytes: [9, 9])), now: now, wallClock: wall)
        case 4: return m.tetheringStarted(UnpairedGoldenTests.settings, iv: UnpairedGoldenTests.iv)
        case 5: return m.tetheringFailed(.unspecifiedError("x"))
        case 6: return m.serverTimerFired(now: now + .seconds(61))
        case 7: return m.messageReceived(TCCFrame(id: 3, payload: ByteBuffer()), now: now, wallClock: wall)
        default: return m.shutdown()
        }
    }

    @Test func answersOnlyAcceptedRequestsAndStopsWhenClosed() async {
        await propertyCheck(input: Gen.int(in: 0...8).array(of: 0...30), Gen.bool) { indices, paired in
            var machine = ServerStateMachine(configuration: .init(keys: Self.keys, channelPaired: paired, serverTimeout: .seconds(60)))
            _ = machine.clientConnected(now: Self.t0)
            var outstanding = 0
            var closed = false
            for (step, index) in indices.enumerated() {
                let now = Self.t0 + .seconds(Int64(step))
                let actions = Self.event(index, &machine, now: now)
                if closed { #expect(actions.isEmpty, "acted after close on event \(index)") }
                for action in actions {
                    switch action {
                    case .startTethering: outstanding += 1
                    case .send(.bringUpSuccessResponse), .send(.bringUpSuccessResponseUnpaired):
                        #expect(outstanding == 1, "settings sent without an accepted request")
                        outstanding -= 1
                    case .report(.failed):
                        #expect(outstanding == 1, "a failure answer without an accepted request")
                        outstanding -= 1
                    case .close: closed = true
                    default: break
                    }
                }
                #expect(outstanding <= 1, "two requests in progress at once")
            }
        }
    }
}
