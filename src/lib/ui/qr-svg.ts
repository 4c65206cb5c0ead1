// A QR code as SVG (docs/decisions/0020-qr-codes.md). The encoder, `uqr`, is imported only here and
// only when a screen asks for a code (dynamic import): the join-link screen and the poster pay for
// it, no other screen does. The SVG is drawn from the encoder's module matrix as one path, so the
// same text always gives the same bytes, and a test can read the matrix back from the path.

/** Error correction M (15%): a poster survives a crease or a thumb; the link stays version ≤ 5. */
const ECC = 'M' as const;
/** The quiet zone the standard asks for, in modules: a phone finds the code on a busy wall. */
const BORDER = 4;

/** The code's dark modules as rows of booleans (`true` dark), quiet zone included. */
export async function qrMatrix(text: string): Promise<boolean[][]> {
	const { encode } = await import('uqr');
	return encode(text, { ecc: ECC, border: BORDER }).data;
}

/** The path of a matrix: one unit square per dark module, row by row. */
export function matrixPath(matrix: readonly (readonly boolean[])[]): string {
	let d = '';
	matrix.forEach((row, y) => {
		row.forEach((dark, x) => {
			if (dark) d += `M${x} ${y}h1v1h-1z`;
		});
	});
	return d;
}

/** The dark modules of a path drawn by `matrixPath`, as "x,y" strings (for tests). */
export function pathModules(d: string): string[] {
	return [...d.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map((m) => `${m[1]},${m[2]}`);
}

/** The code as an SVG document that scales to its box (crisp at any print size). */
export function matrixSvg(matrix: readonly (readonly boolean[])[], label: string): string {
	const size = matrix.length;
	const escaped = label.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
	return (
		`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" ` +
		`shape-rendering="crispEdges" role="img" aria-label="${escaped}">` +
		`<rect width="${size}" height="${size}" fill="#fff"/>` +
		`<path fill="#000" d="${matrixPath(matrix)}"/></svg>`
	);
}

/** The SVG of `text` (a URL): what the screens show and print. */
export async function qrSvg(text: string): Promise<string> {
	return matrixSvg(await qrMatrix(text), `Mã QR của ${text}`);
}
