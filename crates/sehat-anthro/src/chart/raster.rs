//! PNG output: the SVG rasterized with resvg and the bundled font, the background cached
//! per sex and indicator, and the image written as an 8-bit indexed PNG (the chart has
//! few colours; a palette keeps it under 100 KB at 1080 px).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

use super::svg::{FONT_FAMILY, Layout, POINT_COLOR, TEXT_COLOR, background, document, overlay};
use super::{ChartError, ChartIndicator, GrowthChart, HEIGHT, WIDTH};
use crate::Sex;

/// DejaVu Sans, subset to Latin-1 and a few punctuation marks (see data/README.md).
static REGULAR: &[u8] = include_bytes!("../../data/fonts/DejaVuSans.ttf");
/// DejaVu Sans Bold, subset the same way.
static BOLD: &[u8] = include_bytes!("../../data/fonts/DejaVuSans-Bold.ttf");

/// Palette entries kept for the overlay: ramps from white to the point colour and to
/// the text colour, so that the child's points and label keep smooth edges.
const RAMP_STEPS: u8 = 12;

/// Parsing options with only the bundled fonts: no system font is ever looked up.
fn options() -> &'static usvg::Options<'static> {
    static OPTIONS: OnceLock<usvg::Options<'static>> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut fonts = usvg::fontdb::Database::new();
        fonts.load_font_data(REGULAR.to_vec());
        fonts.load_font_data(BOLD.to_vec());
        fonts.set_sans_serif_family(FONT_FAMILY);
        usvg::Options {
            font_family: FONT_FAMILY.to_owned(),
            fontdb: Arc::new(fonts),
            ..usvg::Options::default()
        }
    })
}

fn render_error(what: &str, e: impl std::fmt::Display) -> ChartError {
    ChartError::Render(format!("{what}: {e}"))
}

/// Draws an SVG document onto `pixmap`.
fn draw(svg: &str, pixmap: &mut tiny_skia::Pixmap) -> Result<(), ChartError> {
    let tree = usvg::Tree::from_str(svg, options()).map_err(|e| render_error("SVG", e))?;
    resvg::render(
        &tree,
        tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );
    Ok(())
}

/// A rasterized background with its palette and palette indices.
struct Background {
    pixmap: tiny_skia::Pixmap,
    palette: Vec<[u8; 3]>,
    indices: Vec<u8>,
}

impl Background {
    fn new(layout: &Layout) -> Result<Self, ChartError> {
        let mut pixmap = tiny_skia::Pixmap::new(WIDTH, HEIGHT)
            .ok_or_else(|| ChartError::Render("pixmap size".to_owned()))?;
        draw(&document(&background(layout)), &mut pixmap)?;
        let palette = palette(&pixmap);
        let mut nearest = Nearest::new(&palette);
        let indices = pixmap
            .data()
            .chunks_exact(4)
            .map(|px| nearest.index([px[0], px[1], px[2]]))
            .collect();
        Ok(Self {
            pixmap,
            palette,
            indices,
        })
    }
}

/// The cached background of a standard-range chart.
fn cached_background(layout: &Layout) -> Result<&'static Background, ChartError> {
    static CACHE: [OnceLock<Result<Background, ChartError>>; 4] = [const { OnceLock::new() }; 4];
    let sex = match layout.sex {
        Sex::Male => 0,
        Sex::Female => 1,
    };
    let indicator = match layout.indicator {
        ChartIndicator::WeightForAge => 0,
        ChartIndicator::LengthHeightForAge => 1,
    };
    CACHE[sex * 2 + indicator]
        .get_or_init(|| Background::new(layout))
        .as_ref()
        .map_err(Clone::clone)
}

/// The chart as PNG bytes.
pub(crate) fn png(chart: &GrowthChart) -> Result<Vec<u8>, ChartError> {
    let layout = Layout::new(chart);
    let owned;
    let background = if layout.is_standard() {
        cached_background(&layout)?
    } else {
        owned = Background::new(&layout)?;
        &owned
    };
    let mut pixmap = background.pixmap.clone();
    draw(&document(&overlay(&layout, chart)), &mut pixmap)?;
    // Only pixels the overlay changed need a palette look-up.
    let mut indices = background.indices.clone();
    let mut nearest = Nearest::new(&background.palette);
    let changed = pixmap
        .data()
        .chunks_exact(4)
        .zip(background.pixmap.data().chunks_exact(4));
    for ((now, before), index) in changed.zip(indices.iter_mut()) {
        if now != before {
            *index = nearest.index([now[0], now[1], now[2]]);
        }
    }
    encode(&background.palette, &indices)
}

/// The palette: the overlay's ramps, then the background's most frequent colours.
fn palette(pixmap: &tiny_skia::Pixmap) -> Vec<[u8; 3]> {
    let mut palette: Vec<[u8; 3]> = Vec::with_capacity(256);
    for target in [rgb(POINT_COLOR), rgb(TEXT_COLOR)] {
        for step in 0..=RAMP_STEPS {
            let t = f64::from(step) / f64::from(RAMP_STEPS);
            // Blends of white and the target; each channel stays within 0–255.
            let blend = target.map(|c| (255.0 + t * (f64::from(c) - 255.0)).round() as u8);
            if !palette.contains(&blend) {
                palette.push(blend);
            }
        }
    }
    let mut counts: HashMap<[u8; 3], u32> = HashMap::new();
    for px in pixmap.data().chunks_exact(4) {
        *counts.entry([px[0], px[1], px[2]]).or_default() += 1;
    }
    let mut by_count: Vec<([u8; 3], u32)> = counts.into_iter().collect();
    // Most frequent first; ties by colour, so the palette is deterministic.
    by_count.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    for (color, _) in by_count {
        if palette.len() == 256 {
            break;
        }
        if !palette.contains(&color) {
            palette.push(color);
        }
    }
    palette
}

/// `#rrggbb` to bytes (the colour constants of the drawing).
fn rgb(hex: &str) -> [u8; 3] {
    let channel = |i: usize| {
        hex.get(1 + 2 * i..3 + 2 * i)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .unwrap_or(0)
    };
    [channel(0), channel(1), channel(2)]
}

/// Nearest palette entry by squared RGB distance, remembered per colour.
struct Nearest<'a> {
    palette: &'a [[u8; 3]],
    memo: HashMap<[u8; 3], u8>,
}

impl<'a> Nearest<'a> {
    fn new(palette: &'a [[u8; 3]]) -> Self {
        Self {
            palette,
            memo: HashMap::new(),
        }
    }

    fn index(&mut self, color: [u8; 3]) -> u8 {
        let palette = self.palette;
        *self.memo.entry(color).or_insert_with(|| {
            let distance = |p: &[u8; 3]| -> u32 {
                p.iter()
                    .zip(color)
                    .map(|(&a, b)| u32::from(a.abs_diff(b)).pow(2))
                    .sum()
            };
            let best = palette
                .iter()
                .enumerate()
                .min_by_key(|(_, p)| distance(p))
                .map_or(0, |(i, _)| i);
            // The palette has at most 256 entries.
            u8::try_from(best).unwrap_or(u8::MAX)
        })
    }
}

/// An 8-bit indexed PNG.
fn encode(palette: &[[u8; 3]], indices: &[u8]) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::with_capacity(96 * 1024);
    let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_palette(palette.concat());
    encoder.set_compression(png::Compression::Default);
    // Palette indices compress best unfiltered (about 15 % smaller than Sub or Paeth).
    encoder.set_filter(png::FilterType::NoFilter);
    let mut writer = encoder.write_header().map_err(|e| render_error("PNG", e))?;
    writer
        .write_image_data(indices)
        .map_err(|e| render_error("PNG", e))?;
    writer.finish().map_err(|e| render_error("PNG", e))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::Measurement;
    use super::super::curve::value_at;
    use super::*;

    /// Decodes a PNG into (width, height, RGB of each pixel).
    fn decode(bytes: &[u8]) -> (u32, u32, Vec<[u8; 3]>) {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgb);
        let pixels = buf[..info.buffer_size()]
            .chunks_exact(3)
            .map(|c| [c[0], c[1], c[2]])
            .collect();
        (info.width, info.height, pixels)
    }

    fn pixel(pixels: &[[u8; 3]], x: f64, y: f64) -> [u8; 3] {
        pixels[y.round() as usize * WIDTH as usize + x.round() as usize]
    }

    fn chart(sex: Sex, indicator: ChartIndicator, points: &[(f64, f64)]) -> GrowthChart {
        let points = points
            .iter()
            .map(|&(d, v)| Measurement::new(d, v))
            .collect();
        GrowthChart::new(sex, indicator, points).unwrap()
    }

    #[test]
    fn points_and_curves_land_where_the_layout_puts_them() {
        let c = chart(
            Sex::Female,
            ChartIndicator::WeightForAge,
            &[(300.0, 8.0), (600.0, 9.5)],
        );
        let (w, h, pixels) = decode(&c.to_png().unwrap());
        assert_eq!((w, h), (WIDTH, HEIGHT));
        let layout = Layout::new(&c);
        // The centre of the latest point has the point colour.
        let (x, y) = layout.at(600.0, 9.5);
        assert_eq!(pixel(&pixels, x, y), rgb(POINT_COLOR));
        // The red line (−3 SD) at 1200 days.
        let red = value_at(Sex::Female, ChartIndicator::WeightForAge, 1200, -3.0).unwrap();
        let (x, y) = layout.at(1200.0, red);
        let [r, g, b] = pixel(&pixels, x, y);
        assert!(r > 180 && g < 90 && b < 90, "{r} {g} {b}");
        // A corner of the image is white.
        assert_eq!(pixels[0], [255, 255, 255]);
    }

    #[test]
    fn text_is_drawn_with_the_bundled_font() {
        let plain = chart(Sex::Male, ChartIndicator::WeightForAge, &[(30.0, 4.0)]);
        let named = plain.clone().with_caption("Budi").unwrap();
        let (_, _, a) = decode(&plain.to_png().unwrap());
        let (_, _, b) = decode(&named.to_png().unwrap());
        // The caption row (y 120–160) changes; nothing below the title block does.
        let changed: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
        assert!(changed.len() > 500, "{}", changed.len());
        assert!(
            changed
                .iter()
                .all(|&i| (110..170).contains(&(i / WIDTH as usize)))
        );
    }

    #[test]
    fn cached_and_uncached_backgrounds_agree() {
        let c = chart(
            Sex::Male,
            ChartIndicator::LengthHeightForAge,
            &[(800.0, 85.0)],
        );
        let layout = Layout::new(&c);
        assert!(layout.is_standard());
        let fresh = Background::new(&layout).unwrap();
        let cached = cached_background(&layout).unwrap();
        assert_eq!(fresh.pixmap.data(), cached.pixmap.data());
        assert_eq!(fresh.indices, cached.indices);
        assert_eq!(c.to_png().unwrap(), c.to_png().unwrap());
    }

    #[test]
    fn png_stays_under_100_kb_in_the_worst_case() {
        // A point every month, the longest caption and note, for every chart, and a
        // widened range.
        for sex in [Sex::Male, Sex::Female] {
            for (ind, base, step) in [
                (ChartIndicator::WeightForAge, 3.0, 0.45),
                (ChartIndicator::LengthHeightForAge, 48.0, 1.4),
            ] {
                let monthly: Vec<(f64, f64)> = (0..=60)
                    .map(|m| {
                        let wobble = if m % 2 == 0 { 0.3 } else { -0.3 };
                        (f64::from(m) * 30.4, base + step * f64::from(m) + wobble)
                    })
                    .collect();
                let mut widened = monthly.clone();
                widened.push((1826.0, base + step * 70.0));
                for points in [monthly, widened] {
                    let c = chart(sex, ind, &points)
                        .with_caption("W".repeat(60))
                        .unwrap()
                        .with_latest_note("M".repeat(60))
                        .unwrap();
                    let bytes = c.to_png().unwrap();
                    assert!(
                        bytes.len() <= 100 * 1024,
                        "{sex:?} {ind:?}: {}",
                        bytes.len()
                    );
                }
            }
        }
    }

    #[test]
    fn hex_colours_parse() {
        assert_eq!(rgb("#1d4e89"), [0x1d, 0x4e, 0x89]);
        assert_eq!(rgb(POINT_COLOR), [0x1d, 0x4e, 0x89]);
    }

    #[test]
    fn nearest_picks_the_closest_entry() {
        let palette = [[255, 255, 255], [0, 0, 0], [200, 0, 0]];
        let mut nearest = Nearest::new(&palette);
        assert_eq!(nearest.index([250, 250, 250]), 0);
        assert_eq!(nearest.index([10, 0, 0]), 1);
        assert_eq!(nearest.index([180, 20, 10]), 2);
    }
}
