import Foundation

/// One guest's recent samples (a `SampleRing`) and the reading the next rates start from. Pure.
public struct GuestHistory: Sendable {
    public private(set) var ring: SampleRing<GuestSample>
    /// The latest counters, with fields a reading skipped carried over from before.
    public private(set) var lastReading: GuestReading?
    let calculator: RateCalculator

    public init(capacity: Int, calculator: RateCalculator) {
        ring = SampleRing(capacity: capacity)
        self.calculator = calculator
    }

    /// Adds the sample `reading` makes and returns it.
    @discardableResult
    public mutating func record(_ reading: GuestReading) -> GuestSample {
        let sample = calculator.sample(reading, after: lastReading)
        ring.append(sample)
        lastReading = reading.carryingForward(from: lastReading)
        return sample
    }

    /// The guest stopped: nothing to compare the next start's first reading with. Samples stay.
    public mutating func processEnded() {
        lastReading = nil
    }

    /// Samples oldest first; with `since`, only those taken after it.
    public func samples(since: Date? = nil) -> [GuestSample] {
        let all = ring.elements
        guard let since else { return all }
        return all.filter { $0.time > since }
    }
}
