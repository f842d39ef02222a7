import Foundation
import NIOConcurrencyHelpers
@testable import NFPSRoles
import Testing

/// The hand-off between the transfer pipeline's threads: order, waiting, and closing.
@Suite struct NFPSHandOffTests {
    @Test func elementsComeOutInTheOrderTheyWentIn() {
        let queue = HandOff([1, 2])
        queue.put(3)
        #expect(queue.take() == 1)
        queue.put(4)
        #expect([queue.take(), queue.take(), queue.take()] == [2, 3, 4])
    }

    @Test func takeWaitsForAnotherThreadsPut() {
        let queue = HandOff<Int>()
        let taken = NIOLockedValueBox<Int?>(nil)
        let done = HandOff<Bool>()
        Thread {
            taken.withLockedValue { $0 = queue.take() }
            done.put(true)
        }.start()
        queue.put(7)
        #expect(done.take() == true)
        #expect(taken.withLockedValue { $0 } == 7)
    }

    /// A failing stage closes the hand-off: a waiting taker wakes with nil, and
    /// whatever is put afterwards is dropped.
    @Test func closeWakesAWaitingTakerAndDropsLaterPuts() {
        let queue = HandOff<Int>()
        let done = HandOff<Int?>()
        Thread { done.put(queue.take()) }.start()
        queue.close()
        #expect(done.take() == .some(nil))
        queue.put(1)
        #expect(queue.take() == nil)
    }

    /// The receiving task's side: a task waits suspended (holding no thread) until a
    /// thread puts, and takes what is already there at once.
    @Test func asyncTakeWaitsForAThreadsPut() async {
        let queue = HandOff<Int>([1])
        #expect(await queue.take() == 1)
        Thread {
            // Whether or not the task is already waiting, it gets the element.
            queue.put(2)
        }.start()
        #expect(await queue.take() == 2)
    }

    @Test func closeWakesAWaitingTask() async {
        let queue = HandOff<Int>()
        async let taken = queue.take()
        // Closed before or after the task started waiting: either way it gets nil.
        queue.close()
        #expect(await taken == nil)
        queue.put(3)
        #expect(await queue.take() == nil)
    }
}
