// Charts as standalone SVG: line charts (linear or log axes) and grouped bar charts, with
// titles, ticks, axis labels and a legend. No script, no external resource.

import Foundation

public struct Series: Sendable {
    public var name: String
    public var color: String
    public var points: [(Double, Double)]
    public init(_ name: String, _ color: String, _ points: [(Double, Double)]) { self.name = name; self.color = color; self.points = points }
}

public struct Axis: Sendable {
    public enum Scale: Sendable { case linear, log, nines }
    public var label: String
    public var scale: Scale
    /// Tick label for a value on this axis.
    public var format: @Sendable (Double) -> String
    public init(_ label: String, _ scale: Scale = .linear, format: @escaping @Sendable (Double) -> String = { Units.short($0) }) {
        self.label = label; self.scale = scale; self.format = format
    }
}

public enum SVGChart {
    public static let width = 640.0, height = 320.0
    static let left = 78.0, right = 20.0, top = 34.0, bottom = 64.0
    static let plotW = width - left - right, plotH = height - top - bottom

    /// Text safe inside SVG/HTML elements and attribute values.
    public static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A coordinate; never "nan" or "inf" in the SVG.
    static func n(_ v: Double) -> String { String(format: "%.1f", v.isFinite ? v : 0) }

    /// A value's position along an axis scale, 0...1 over [lo, hi].
    static func fraction(_ v: Double, _ lo: Double, _ hi: Double, _ scale: Axis.Scale) -> Double {
        switch scale {
        case .linear: return hi > lo ? (v - lo) / (hi - lo) : 0.5
        case .log:
            let l = log10(max(v, lo)), a = log10(lo), b = log10(hi)
            return b > a ? (l - a) / (b - a) : 0.5
        case .nines:
            return fraction(nines(v), nines(lo), nines(hi), .linear)
        }
    }

    /// A percentile's "number of nines": 90 -> 1, 99 -> 2, 99.9 -> 3.
    public static func nines(_ p: Double) -> Double { -log10(max(1e-7, 1 - min(p, 99.99999) / 100)) }

    /// The range and ticks an axis shows for values in [lo, hi].
    static func ticks(_ lo: Double, _ hi: Double, _ scale: Axis.Scale) -> (lo: Double, hi: Double, ticks: [Double]) {
        switch scale {
        case .linear:
            let top = hi > 0 ? hi : 1
            let raw = top / 5
            let mag = pow(10, floor(log10(raw)))
            let step = [1.0, 2, 2.5, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? raw
            let end = ceil(top / step) * step
            return (0, end, stride(from: 0, through: end + step / 2, by: step).map { $0 })
        case .log:
            let a = floor(log10(max(lo, 1e-12))), b = max(ceil(log10(max(hi, 1e-12))), a + 1)
            return (pow(10, a), pow(10, b), stride(from: a, through: b, by: 1).map { pow(10, $0) })
        case .nines:
            let maxNines = max(2, ceil(nines(hi)))
            return (0, 100 - 100 * pow(10, -maxNines), (0...Int(maxNines)).map { $0 == 0 ? 0 : 100 - 100 * pow(10, -Double($0)) })
        }
    }

    static func frame(kind: String, title: String, x: String, y: String, body: String) -> String {
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" data-chart=\"\(escape(kind))\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(title))\">"
        s += "<title>\(escape(title))</title>"
        s += "<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"#ffffff\"/>"
        s += "<text class=\"chart-title\" x=\"\(n(width / 2))\" y=\"20\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"14\" font-weight=\"bold\">\(escape(title))</text>"
        s += body
        s += "<text class=\"axis-label\" x=\"\(n(left + plotW / 2))\" y=\"\(n(height - 12))\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"12\">\(escape(x))</text>"
        s += "<text class=\"axis-label\" transform=\"translate(16 \(n(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"12\">\(escape(y))</text>"
        return s + "</svg>"
    }

    static func axes(xTicks: [(Double, String)], yTicks: [(Double, String)]) -> String {
        var s = "<g class=\"axes\" font-family=\"sans-serif\" font-size=\"10\" fill=\"#333333\">"
        for (f, label) in yTicks {
            let y = top + plotH * (1 - f)
            s += "<line x1=\"\(n(left))\" y1=\"\(n(y))\" x2=\"\(n(left + plotW))\" y2=\"\(n(y))\" stroke=\"#e3e3e3\"/>"
            s += "<text x=\"\(n(left - 6))\" y=\"\(n(y + 3))\" text-anchor=\"end\">\(escape(label))</text>"
        }
        for (f, label) in xTicks {
            let x = left + plotW * f
            s += "<line x1=\"\(n(x))\" y1=\"\(n(top + plotH))\" x2=\"\(n(x))\" y2=\"\(n(top + plotH + 4))\" stroke=\"#333333\"/>"
            s += "<text x=\"\(n(x))\" y=\"\(n(top + plotH + 16))\" text-anchor=\"middle\">\(escape(label))</text>"
        }
        s += "<line x1=\"\(n(left))\" y1=\"\(n(top))\" x2=\"\(n(left))\" y2=\"\(n(top + plotH))\" stroke=\"#333333\"/>"
        s += "<line x1=\"\(n(left))\" y1=\"\(n(top + plotH))\" x2=\"\(n(left + plotW))\" y2=\"\(n(top + plotH))\" stroke=\"#333333\"/>"
        return s + "</g>"
    }

    static func legend(_ items: [(String, String)]) -> String {
        guard items.count > 1 else { return "" }
        var s = "<g class=\"legend\" font-family=\"sans-serif\" font-size=\"11\">"
        var x = left + 8
        for (name, color) in items {
            let label = name.count > 40 ? String(name.prefix(39)) + "…" : name
            s += "<rect x=\"\(n(x))\" y=\"\(n(top + 4))\" width=\"10\" height=\"10\" fill=\"\(color)\"/>"
            s += "<text x=\"\(n(x + 14))\" y=\"\(n(top + 13))\">\(escape(label))</text>"
            x += 24 + Double(label.count) * 6.2
        }
        return s + "</g>"
    }

    /// A line chart; nil when no series has a point (nothing to draw).
    public static func line(kind: String, title: String, x: Axis, y: Axis, series: [Series], markers: Bool = false) -> String? {
        let all = series.flatMap(\.points).filter { $0.0.isFinite && $0.1.isFinite && (y.scale != .log || $0.1 > 0) }
        guard !all.isEmpty else { return nil }
        let xs = ticks(all.map(\.0).min()!, all.map(\.0).max()!, x.scale)
        let ys = ticks(all.map(\.1).filter { $0 > 0 }.min() ?? 1, all.map(\.1).max()!, y.scale)
        let xLo = x.scale == .linear ? 0 : xs.lo
        var body = axes(xTicks: xs.ticks.map { (fraction($0, xLo, xs.hi, x.scale), x.format($0)) },
                        yTicks: ys.ticks.map { (fraction($0, ys.lo, ys.hi, y.scale), y.format($0)) })
        for s in series {
            let pts = s.points.filter { $0.0.isFinite && $0.1.isFinite && (y.scale != .log || $0.1 > 0) }.map { p in
                (left + plotW * fraction(p.0, xLo, xs.hi, x.scale), top + plotH * (1 - fraction(p.1, ys.lo, ys.hi, y.scale)))
            }
            guard !pts.isEmpty else { continue }
            if pts.count == 1 || markers {
                for p in pts { body += "<circle class=\"series-point\" cx=\"\(n(p.0))\" cy=\"\(n(p.1))\" r=\"3\" fill=\"\(s.color)\"/>" }
            }
            if pts.count > 1 {
                body += "<polyline class=\"series\" data-series=\"\(escape(s.name))\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\" points=\""
                    + pts.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ") + "\"/>"
            }
        }
        body += legend(series.filter { !$0.points.isEmpty }.map { ($0.name, $0.color) })
        return frame(kind: kind, title: title, x: x.label, y: y.label, body: body)
    }

    /// Bars per category, one per series (grouped); nil when every value is missing.
    public static func bars(kind: String, title: String, categories: [String], series: [Series], x: String, y: Axis) -> String? {
        let values = series.flatMap(\.points).map(\.1).filter(\.isFinite)
        guard !categories.isEmpty, !values.isEmpty else { return nil }
        let top = values.max() ?? 0
        let ys = ticks(0, top, .linear)
        var body = axes(xTicks: [], yTicks: ys.ticks.map { (fraction($0, ys.lo, ys.hi, .linear), y.format($0)) })
        let slot = plotW / Double(categories.count)
        let barW = max(2, min(40, (slot - 8) / Double(max(series.count, 1))))
        for (ci, c) in categories.enumerated() {
            let x0 = left + slot * Double(ci) + (slot - barW * Double(series.count)) / 2
            for (si, s) in series.enumerated() {
                guard let v = s.points.first(where: { $0.0 == Double(ci) })?.1, v.isFinite else { continue }
                let h = plotH * fraction(v, ys.lo, ys.hi, .linear)
                body += "<rect class=\"bar\" data-series=\"\(escape(s.name))\" x=\"\(n(x0 + barW * Double(si)))\" y=\"\(n(SVGChart.top + plotH - h))\" width=\"\(n(barW - 1))\" height=\"\(n(max(h, 0)))\" fill=\"\(s.color)\"><title>\(escape(s.name)) \(escape(c)): \(escape(y.format(v)))</title></rect>"
            }
            let label = c.count > 14 ? String(c.prefix(13)) + "…" : c
            body += "<text class=\"category\" x=\"\(n(left + slot * (Double(ci) + 0.5)))\" y=\"\(n(SVGChart.top + plotH + 16))\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"10\">\(escape(label))</text>"
        }
        body += legend(series.map { ($0.name, $0.color) })
        return frame(kind: kind, title: title, x: x, y: y.label, body: body)
    }
}

/// Numbers as people read them on an axis.
public enum Units {
    /// 1.5k, 2M, 0.25.
    public static func short(_ v: Double) -> String {
        let a = abs(v)
        for (limit, suffix) in [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")] where a >= limit {
            return trim(v / limit) + suffix
        }
        return trim(v)
    }

    static func trim(_ v: Double) -> String {
        var s = String(format: abs(v) >= 100 || v == v.rounded() ? "%.0f" : (abs(v) >= 10 ? "%.1f" : "%.2f"), v)
        if s.contains(".") { while s.hasSuffix("0") { s.removeLast() }; if s.hasSuffix(".") { s.removeLast() } }
        return s
    }

    /// Nanoseconds as 250ns, 12us, 3.5ms, 2s.
    public static func duration(_ ns: Double) -> String {
        if ns >= 1e9 { return trim(ns / 1e9) + "s" }
        if ns >= 1e6 { return trim(ns / 1e6) + "ms" }
        if ns >= 1e3 { return trim(ns / 1e3) + "us" }
        return trim(ns) + "ns"
    }

    /// A percentile tick: 0, 90, 99, 99.9.
    public static func percentile(_ p: Double) -> String { trim(p) == "0" ? "0" : String(format: "%g", (p * 1e6).rounded() / 1e6) }
}
