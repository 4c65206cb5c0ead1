import { describe, expect, it } from 'vitest';
import { encode } from 'uqr';
import { matrixPath, pathModules, qrMatrix, qrSvg } from '../../../src/lib/ui/qr-svg';

// The join link's QR code (ADR 0020): an SVG is produced, the same URL always gives the same bytes
// (a reprinted poster is the same poster), another URL another code, and the path holds exactly
// the encoder's dark modules for that URL, quiet zone included.

const url = 'https://doanvu.example.vn/khai/xaabc-7K3M9QW2TZ';

describe('qrSvg', () => {
	it('draws an SVG, deterministic for a URL', async () => {
		const first = await qrSvg(url);
		expect(first.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
		expect(first).toContain('<path fill="#000" d="M');
		expect(await qrSvg(url)).toBe(first);
		expect(await qrSvg(`${url}X`)).not.toBe(first);
	});

	it('draws the encoder matrix of the URL, with a four-module quiet zone', async () => {
		const matrix = await qrMatrix(url);
		const expected = encode(url, { ecc: 'M', border: 4 }).data;
		expect(matrix).toEqual(expected);
		// Nothing dark in the quiet zone; the finder pattern's corner starts at (4, 4).
		expect(matrix[0]!.some(Boolean)).toBe(false);
		expect(matrix[4]![4]).toBe(true);
		const dark = expected.flatMap((row, y) => row.flatMap((on, x) => (on ? [`${x},${y}`] : [])));
		expect(pathModules(matrixPath(matrix))).toEqual(dark);
		const svg = await qrSvg(url);
		expect(svg).toContain(`viewBox="0 0 ${matrix.length} ${matrix.length}"`);
	});

	it('escapes the label', async () => {
		expect(await qrSvg('a"<b&')).toContain('aria-label="Mã QR của a&quot;&lt;b&amp;"');
	});
});
