//! PNG output: the SVG rasterized with resvg and the bundled font, the background cached
//! per sex and indicator, and the image written as an 8-bit indexed PNG (the chart has
//! few colours; a palette keeps it under 100 KB at 1080 px).
//!
//! Compressing the image is most of the work, so the image data is compressed in bands
//! of rows, each ending in a full flush (no back-references across bands): the
//! background's bands are compressed once and cached, and a chart compresses only the
//! bands its overlay changed. The overlay itself is drawn only into the rows it can
//! touch, over a copy of just those rows of the background.

use std::borrow::Cow;
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
    /// The compressed bands of `indices`.
    bands: Vec<Vec<u8>>,
}

impl Background {
    fn new(layout: &Layout) -> Result<Self, ChartError> {
        let mut pixmap = tiny_skia::Pixmap::new(WIDTH, HEIGHT)
            .ok_or_else(|| ChartError::Render("pixmap size".to_owned()))?;
        draw(&document(&background(layout)), &mut pixmap)?;
        let palette = palette(&pixmap);
        let mut nearest = Nearest::new(&palette);
        let indices: Vec<u8> = pixmap
            .data()
            .chunks_exact(4)
            .map(|px| nearest.index([px[0], px[1], px[2]]))
            .collect();
        let bands = (0..BANDS)
            .map(|band| deflate_band(&indices, band, BACKGROUND_LEVEL))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            pixmap,
            palette,
            indices,
            bands,
        })
    }
}

/// Which of the four cached backgrounds (sex and indicator) a standard chart uses.
fn cache_slot(layout: &Layout) -> usize {
    let sex = match layout.sex {
        Sex::Male => 0,
        Sex::Female => 1,
    };
    let indicator = match layout.indicator {
        ChartIndicator::WeightForAge => 0,
        ChartIndicator::LengthHeightForAge => 1,
    };
    sex * 2 + indicator
}

/// The cached background of a standard-range chart.
fn cached_background(layout: &Layout) -> Result<&'static Background, ChartError> {
    static CACHE: [OnceLock<Result<Background, ChartError>>; 4] = [const { OnceLock::new() }; 4];
    CACHE[cache_slot(layout)]
        .get_or_init(|| Background::new(layout))
        .as_ref()
        .map_err(Clone::clone)
}

/// Rows above and below an overlay element's bounds that are redrawn with it:
/// anti-aliasing reaches at most one pixel past the geometry.
const ROW_MARGIN: f32 = 2.0;

/// The row ranges (`start..end`) the overlay can touch: the stroke bounds of each of
/// its elements, widened by [`ROW_MARGIN`], merged where they overlap, top to bottom.
fn dirty_rows(tree: &usvg::Tree) -> Vec<std::ops::Range<usize>> {
    let height = HEIGHT as f32;
    let mut ranges: Vec<std::ops::Range<usize>> = tree
        .root()
        .children()
        .iter()
        .filter_map(|node| {
            let bounds = node.abs_stroke_bounding_box();
            let top = (bounds.top() - ROW_MARGIN).floor().clamp(0.0, height);
            let bottom = (bounds.bottom() + ROW_MARGIN).ceil().clamp(0.0, height);
            // Both ends lie within 0–HEIGHT, so the casts are exact.
            (bottom > top).then_some(top as usize..bottom as usize)
        })
        .collect();
    ranges.sort_unstable_by_key(|r| r.start);
    let mut merged: Vec<std::ops::Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

/// Palette look-ups remembered across charts, per cached background and thread
/// (the overlay blends the same few colours over the same background every time).
struct Memos([Option<Memo>; 4]);

thread_local! {
    static MEMOS: std::cell::RefCell<Memos> = const {
        std::cell::RefCell::new(Memos([None, None, None, None]))
    };
}

/// The chart as PNG bytes.
pub(crate) fn png(chart: &GrowthChart) -> Result<Vec<u8>, ChartError> {
    let layout = Layout::new(chart);
    let tree = usvg::Tree::from_str(&document(&overlay(&layout, chart)), options())
        .map_err(|e| render_error("SVG", e))?;
    if let Some(slot) = layout.is_standard().then(|| cache_slot(&layout)) {
        let background = cached_background(&layout)?;
        MEMOS.with(|memos| {
            let mut memos = memos.borrow_mut();
            let memo = memos.0[slot].take().unwrap_or_else(Memo::new);
            let mut nearest = Nearest::with_memo(&background.palette, memo);
            let result = paint(background, &tree, &mut nearest);
            memos.0[slot] = Some(nearest.memo);
            result
        })
    } else {
        let background = Background::new(&layout)?;
        paint(&background, &tree, &mut Nearest::new(&background.palette))
    }
}

/// Draws the overlay over `background`, row range by row range, and encodes the result.
///
/// Each range the overlay can touch is copied from the background into a pixmap of
/// just those rows and the whole overlay drawn into it moved up by the range's first
/// row (an integer shift, so every pixel comes out as in a full-size drawing; elements
/// outside the range are clipped away). Only pixels that differ from the background
/// get a palette look-up, and only the bands that hold them a new compression.
fn paint(
    background: &Background,
    tree: &usvg::Tree,
    nearest: &mut Nearest<'_>,
) -> Result<Vec<u8>, ChartError> {
    let width = WIDTH as usize;
    let mut indices = background.indices.clone();
    let mut changed_bands = [false; BANDS];
    for range in dirty_rows(tree) {
        // At most HEIGHT rows, so the cast cannot truncate.
        let rows = (range.end - range.start) as u32;
        let bytes = &background.pixmap.data()[range.start * width * 4..range.end * width * 4];
        let size = tiny_skia::IntSize::from_wh(WIDTH, rows)
            .ok_or_else(|| ChartError::Render("pixmap size".to_owned()))?;
        let mut pixmap = tiny_skia::Pixmap::from_vec(bytes.to_vec(), size)
            .ok_or_else(|| ChartError::Render("pixmap size".to_owned()))?;
        // The first row is below HEIGHT, exactly representable as f32.
        let shift = tiny_skia::Transform::from_translate(0.0, -(range.start as f32));
        resvg::render(tree, shift, &mut pixmap.as_mut());
        let drawn = pixmap
            .data()
            .chunks_exact(width * 4)
            .zip(bytes.chunks_exact(width * 4))
            .zip(indices[range.start * width..range.end * width].chunks_exact_mut(width));
        for (offset, ((now, before), row_indices)) in drawn.enumerate() {
            if now == before {
                continue;
            }
            changed_bands[(range.start + offset) / BAND_ROWS] = true;
            let pixels = now.as_chunks::<4>().0.iter().zip(before.as_chunks::<4>().0);
            for ((a, b), index) in pixels.zip(row_indices.iter_mut()) {
                if a != b {
                    *index = nearest.index([a[0], a[1], a[2]]);
                }
            }
        }
    }
    let mut compressed = Vec::with_capacity(BANDS);
    for (band, changed) in changed_bands.iter().enumerate() {
        compressed.push(if *changed {
            Cow::Owned(deflate_band(&indices, band, OVERLAY_LEVEL)?)
        } else {
            Cow::Borrowed(background.bands[band].as_slice())
        });
    }
    Ok(encode(&background.palette, &indices, &compressed))
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

/// Slots of a [`Memo`] (a power of two).
const MEMO_SLOTS: usize = 1 << 16;

/// Colours already looked up and their palette entries, in a fixed-size table with
/// one entry per slot: a colour whose slot another colour took is looked up again.
/// Cheaper than a hash map for the millions of look-ups of a batch.
struct Memo(Vec<Option<([u8; 3], u8)>>);

impl Memo {
    fn new() -> Self {
        Self(vec![None; MEMO_SLOTS])
    }

    /// The slot of `color` (Fibonacci hashing of its 24 bits).
    fn slot(color: [u8; 3]) -> usize {
        let key = u32::from_be_bytes([0, color[0], color[1], color[2]]);
        // The top 16 bits of a u32 always fit a usize.
        (key.wrapping_mul(0x9e37_79b1) >> (32 - MEMO_SLOTS.trailing_zeros())) as usize
    }
}

/// Nearest palette entry by squared RGB distance, remembered per colour.
struct Nearest<'a> {
    palette: &'a [[u8; 3]],
    memo: Memo,
    /// The last colour looked up and its entry (neighbouring pixels mostly agree).
    last: Option<([u8; 3], u8)>,
}

impl<'a> Nearest<'a> {
    fn new(palette: &'a [[u8; 3]]) -> Self {
        Self::with_memo(palette, Memo::new())
    }

    /// With look-ups remembered from earlier charts on the same palette.
    fn with_memo(palette: &'a [[u8; 3]], memo: Memo) -> Self {
        Self {
            palette,
            memo,
            last: None,
        }
    }

    fn index(&mut self, color: [u8; 3]) -> u8 {
        if let Some((last, index)) = self.last
            && last == color
        {
            return index;
        }
        let slot = Memo::slot(color);
        let index = match self.memo.0[slot] {
            Some((known, index)) if known == color => index,
            _ => {
                let index = self.search(color);
                self.memo.0[slot] = Some((color, index));
                index
            }
        };
        self.last = Some((color, index));
        index
    }

    /// The entry closest to `color`, searched through the whole palette.
    fn search(&self, color: [u8; 3]) -> u8 {
        let distance = |p: &[u8; 3]| -> u32 {
            p.iter()
                .zip(color)
                .map(|(&a, b)| u32::from(a.abs_diff(b)).pow(2))
                .sum()
        };
        let best = self
            .palette
            .iter()
            .enumerate()
            .min_by_key(|(_, p)| distance(p))
            .map_or(0, |(i, _)| i);
        // The palette has at most 256 entries.
        u8::try_from(best).unwrap_or(u8::MAX)
    }
}

/// Rows per band.
const BAND_ROWS: usize = 16;
/// Bands in the image.
const BANDS: usize = (HEIGHT as usize).div_ceil(BAND_ROWS);
/// Deflate level of the cached background's bands (compressed once).
const BACKGROUND_LEVEL: u32 = 9;
/// Deflate level of the bands a chart's overlay changed: level 2 is about twice as fast
/// as zlib's default 6 and makes a chart about 2 KB larger.
const OVERLAY_LEVEL: u32 = 2;

/// The PNG image data of rows `band·16 … band·16 + 15` (filter byte 0, then the palette
/// indices of each row), deflated and ended with a full flush so that bands
/// concatenate.
fn deflate_band(indices: &[u8], band: usize, level: u32) -> Result<Vec<u8>, ChartError> {
    let width = WIDTH as usize;
    let first = band * BAND_ROWS;
    let last = (first + BAND_ROWS).min(HEIGHT as usize);
    let mut raw = Vec::with_capacity((last - first) * (width + 1));
    for row in indices[first * width..last * width].chunks_exact(width) {
        raw.push(0);
        raw.extend_from_slice(row);
    }
    // Deflate grows incompressible data by a few bytes per block; half again is ample.
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 2 + 64);
    // One compressor per thread and level, reset between bands: a new one allocates and
    // clears a few hundred kilobytes of state, which cost as much as compressing a band.
    let consumed = COMPRESSORS.with_borrow_mut(|compressors| {
        let deflate = match compressors.iter_mut().find(|(l, _)| *l == level) {
            Some((_, deflate)) => {
                deflate.reset();
                deflate
            }
            None => {
                let fresh = flate2::Compress::new(flate2::Compression::new(level), false);
                compressors.push((level, fresh));
                let last = compressors.len() - 1;
                &mut compressors[last].1
            }
        };
        deflate
            .compress_vec(&raw, &mut out, flate2::FlushCompress::Full)
            .map_err(|e| render_error("deflate", e))?;
        Ok::<u64, ChartError>(deflate.total_in())
    })?;
    if consumed != raw.len() as u64 {
        return Err(ChartError::Render(
            "deflate: output buffer too small".to_owned(),
        ));
    }
    Ok(out)
}

thread_local! {
    /// This thread's compressors, one per deflate level used.
    static COMPRESSORS: std::cell::RefCell<Vec<(u32, flate2::Compress)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Appends one PNG chunk (length, type, data, CRC-32 of type and data).
fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    // Chunks here are at most a few hundred kilobytes.
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
}

/// An 8-bit indexed PNG from the palette, the indices and their compressed bands.
fn encode(palette: &[[u8; 3]], indices: &[u8], bands: &[Cow<'_, [u8]>]) -> Vec<u8> {
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&WIDTH.to_be_bytes());
    header.extend_from_slice(&HEIGHT.to_be_bytes());
    // Bit depth 8, colour type 3 (indexed), deflate, filter method 0, no interlace.
    header.extend_from_slice(&[8, 3, 0, 0, 0]);
    // The zlib stream: header (deflate, 32 KiB window), the bands, an empty final
    // block, and the Adler-32 of the uncompressed data.
    let size: usize = bands.iter().map(|b| b.len()).sum();
    let mut zlib = Vec::with_capacity(size + 8);
    zlib.extend_from_slice(&[0x78, 0x01]);
    for band in bands {
        zlib.extend_from_slice(band);
    }
    zlib.extend_from_slice(&[0x03, 0x00]);
    let mut adler = adler2::Adler32::new();
    for row in indices.chunks_exact(WIDTH as usize) {
        adler.write_slice(&[0]);
        adler.write_slice(row);
    }
    zlib.extend_from_slice(&adler.checksum().to_be_bytes());
    let mut out = Vec::with_capacity(zlib.len() + 1024);
    out.extend_from_slice(b"\x89PNG\r\n\x1a\n");
    chunk(&mut out, b"IHDR", &header);
    chunk(&mut out, b"PLTE", &palette.concat());
    chunk(&mut out, b"IDAT", &zlib);
    chunk(&mut out, b"IEND", &[]);
    out
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

    #[test]
    fn memo_slots_shared_by_two_colours_give_each_its_own_entry() {
        let palette = [[255, 255, 255], [0, 0, 0]];
        let light = [250, 250, 250];
        // A dark colour that lands in the light colour's slot.
        let dark = (0..100u8)
            .flat_map(|r| (0..100u8).flat_map(move |g| (0..100u8).map(move |b| [r, g, b])))
            .find(|&c| Memo::slot(c) == Memo::slot(light))
            .unwrap();
        let mut nearest = Nearest::new(&palette);
        for _ in 0..2 {
            assert_eq!(nearest.index(light), 0);
            assert_eq!(nearest.index(dark), 1);
        }
    }

    #[test]
    fn dirty_rows_cover_the_caption_and_the_points_apart() {
        let c = chart(
            Sex::Female,
            ChartIndicator::WeightForAge,
            &[(300.0, 8.0), (330.0, 8.2)],
        )
        .with_caption("Siti")
        .unwrap();
        let layout = Layout::new(&c);
        let tree = usvg::Tree::from_str(&document(&overlay(&layout, &c)), options()).unwrap();
        let rows = dirty_rows(&tree);
        // The caption (baseline 152) and the points with their label are two ranges.
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert!(
            rows[0].start < 130 && (152..170).contains(&rows[0].end),
            "{rows:?}"
        );
        let (_, y) = layout.at(330.0, 8.2);
        assert!(rows[1].start as f64 <= y - 13.0 && rows[1].end as f64 >= y + 13.0);
        // Every row the overlay changes in a full-size drawing lies in a range, and the
        // PNG has the full-size drawing's pixels.
        let background = cached_background(&layout).unwrap();
        let mut full = background.pixmap.clone();
        draw(&document(&overlay(&layout, &c)), &mut full).unwrap();
        for (row, (a, b)) in full
            .data()
            .chunks_exact(WIDTH as usize * 4)
            .zip(background.pixmap.data().chunks_exact(WIDTH as usize * 4))
            .enumerate()
        {
            if a != b {
                assert!(rows.iter().any(|r| r.contains(&row)), "row {row}");
            }
        }
        let (_, _, drawn) = decode(&c.to_png().unwrap());
        let mut nearest = Nearest::new(&background.palette);
        let expected: Vec<[u8; 3]> = full
            .data()
            .chunks_exact(4)
            .map(|px| background.palette[usize::from(nearest.index([px[0], px[1], px[2]]))])
            .collect();
        assert!(drawn == expected);
    }
}
