// The Mann-Whitney U test (Wilcoxon rank-sum), two-sided: whether two sets of repeated
// measurements differ more than their noise explains, without assuming a distribution (as
// benchstat does). Exact for small samples, the normal approximation with a tie correction
// beyond.

import Foundation

public enum MannWhitney {
    /// The two-sided p-value of the difference between `a` and `b` (1 when either is empty).
    public static func pValue(_ a: [Double], _ b: [Double]) -> Double {
        let n1 = a.count, n2 = b.count
        guard n1 > 0, n2 > 0 else { return 1 }
        // Ranks of the pooled values, ties sharing their mean rank.
        let pooled = (a.map { ($0, 0) } + b.map { ($0, 1) }).sorted { $0.0 < $1.0 }
        var ranks = [Double](repeating: 0, count: pooled.count)
        var tieTerm = 0.0
        var i = 0
        while i < pooled.count {
            var j = i
            while j + 1 < pooled.count && pooled[j + 1].0 == pooled[i].0 { j += 1 }
            let r = Double(i + j) / 2 + 1
            for k in i...j { ranks[k] = r }
            let t = Double(j - i + 1)
            tieTerm += t * t * t - t
            i = j + 1
        }
        let r1 = zip(pooled, ranks).filter { $0.0.1 == 0 }.map(\.1).reduce(0, +)
        let u1 = r1 - Double(n1 * (n1 + 1)) / 2
        let u = min(u1, Double(n1 * n2) - u1)
        if n1 + n2 <= 20 && tieTerm == 0 {
            return min(1, 2 * exactLowerTail(Int(u.rounded()), n1, n2))
        }
        let n = Double(n1 + n2)
        let mean = Double(n1 * n2) / 2
        let variance = Double(n1 * n2) / 12 * ((n + 1) - tieTerm / (n * (n - 1)))
        guard variance > 0 else { return 1 }
        let z = (abs(u1 - mean) - 0.5) / variance.squareRoot()
        return min(1, erfc(max(z, 0) / 2.0.squareRoot()))
    }

    /// P(U <= u) for samples of sizes n1 and n2 without ties: the count of rank arrangements
    /// whose U is at most u, over all of them (dynamic programming on U's distribution).
    static func exactLowerTail(_ u: Int, _ n1: Int, _ n2: Int) -> Double {
        // counts[m][k][s]: ways to pick ranks so that... computed as the classic recurrence
        // f(n1, n2, s) = f(n1 - 1, n2, s - n2) + f(n1, n2 - 1, s).
        let maxU = n1 * n2
        var memo: [Int: [Double]] = [:]
        func dist(_ a: Int, _ b: Int) -> [Double] {
            if let d = memo[a * 100 + b] { return d }
            var d = [Double](repeating: 0, count: a * b + 1)
            if a == 0 || b == 0 { d[0] = 1 } else {
                let x = dist(a - 1, b), y = dist(a, b - 1)
                for s in 0...(a * b) {
                    if s - b >= 0 && s - b < x.count { d[s] += x[s - b] }
                    if s < y.count { d[s] += y[s] }
                }
            }
            memo[a * 100 + b] = d
            return d
        }
        let d = dist(n1, n2)
        let total = d.reduce(0, +)
        return d[0...min(u, maxU)].reduce(0, +) / total
    }

    /// The smallest two-sided p-value samples of these sizes can reach (n = 3 a side: 0.1).
    public static func smallestP(_ n1: Int, _ n2: Int) -> Double {
        guard n1 > 0, n2 > 0 else { return 1 }
        if n1 + n2 <= 20 { return min(1, 2 * exactLowerTail(0, n1, n2)) }
        return 0
    }
}
