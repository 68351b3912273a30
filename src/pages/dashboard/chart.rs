//! Line charts as inline SVG, drawn on the server: no script, nothing fetched, and text the
//! template engine escapes like any other value.

use askama::Template;

/// Plot area of the drawing, in SVG units.
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

/// Colours of the series in order; each passes 4.5:1 against white.
const COLOURS: [&str; 4] = ["#1a4fd6", "#b3261e", "#1b6e35", "#7a3fc0"];

/// A point: where it sits on the x axis (a time, an index), its value, and what its tooltip
/// says.
pub struct Point {
    pub x: f64,
    pub y: f64,
    pub label: String,
}

pub struct Series {
    pub name: String,
    pub points: Vec<Point>,
}

struct Drawn {
    name: String,
    colour: &'static str,
    line: String,
    dots: Vec<(String, String, String)>,
    legend_y: String,
}

#[derive(Template)]
#[template(path = "chart.svg", escape = "html")]
struct Chart<'a> {
    title: &'a str,
    series: Vec<Drawn>,
    grid: Vec<(String, String)>,
    first: &'a str,
    last: &'a str,
}

fn fixed(value: f64) -> String {
    format!("{value:.1}")
}

/// The chart of `series` with the y axis from 0 to `y_max`; `first` and `last` label the ends
/// of the x axis. None when there is nothing to draw.
pub fn line(title: &str, series: &[Series], y_max: f64, first: &str, last: &str) -> Option<String> {
    let xs = || series.iter().flat_map(|s| s.points.iter().map(|p| p.x));
    let (min, max) = (
        xs().fold(f64::INFINITY, f64::min),
        xs().fold(f64::NEG_INFINITY, f64::max),
    );
    if !min.is_finite() || y_max <= 0.0 {
        return None;
    }
    let span = if max > min { max - min } else { 1.0 };
    let plot_w = WIDTH - LEFT - RIGHT - 110.0;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let at_x = |x: f64| {
        if max > min {
            LEFT + (x - min) / span * plot_w
        } else {
            LEFT + plot_w / 2.0
        }
    };
    let at_y = |y: f64| TOP + plot_h - (y.clamp(0.0, y_max) / y_max) * plot_h;
    let drawn = series
        .iter()
        .zip(COLOURS.iter().cycle())
        .enumerate()
        .map(|(index, (s, colour))| Drawn {
            name: s.name.clone(),
            colour,
            line: s
                .points
                .iter()
                .map(|p| format!("{},{}", fixed(at_x(p.x)), fixed(at_y(p.y))))
                .collect::<Vec<_>>()
                .join(" "),
            dots: s
                .points
                .iter()
                .map(|p| (fixed(at_x(p.x)), fixed(at_y(p.y)), p.label.clone()))
                .collect(),
            legend_y: fixed(TOP + 14.0 + index as f64 * 20.0),
        })
        .collect();
    let grid = [0.0, 0.5, 1.0]
        .iter()
        .map(|share| {
            let value = y_max * share;
            (
                fixed(at_y(value)),
                super::table::display(&serde_json::json!(value)),
            )
        })
        .collect();
    Chart {
        title,
        series: drawn,
        grid,
        first,
        last,
    }
    .render()
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(name: &str, points: &[(f64, f64)]) -> Series {
        Series {
            name: name.into(),
            points: points
                .iter()
                .map(|&(x, y)| Point {
                    x,
                    y,
                    label: format!("{name} {y}"),
                })
                .collect(),
        }
    }

    #[test]
    fn points_are_placed_on_the_scale() {
        let svg = line(
            "Scores",
            &[series("seo", &[(0.0, 0.0), (10.0, 100.0)])],
            100.0,
            "a",
            "b",
        )
        .unwrap();
        // The lowest point at the bottom left of the plot, the highest at the top right.
        assert!(svg.contains("points=\"44.0,192.0 518.0,12.0\""), "{svg}");
        assert!(svg.starts_with("<svg"), "{svg}");
    }

    #[test]
    fn names_are_escaped_and_nothing_draws_nothing() {
        let svg = line(
            "<script>",
            &[series("<b>x</b>", &[(1.0, 5.0)])],
            10.0,
            "",
            "",
        )
        .unwrap();
        assert!(!svg.contains("<script>") && !svg.contains("<b>"), "{svg}");
        assert!(line("Empty", &[series("a", &[])], 10.0, "", "").is_none());
    }
}
