import type { Page } from 'playwright-core';
import { expect } from 'vitest';

// The layout checks of the phone-sized screens, measured rather than photographed: nothing wider
// than the screen, no header text cut short, and every tap target at least 44×44 px (the size a
// thumb hits without hitting the neighbour). Each problem names the offending element.

export const WIDTH = 360;
export const MIN_TAP = 44;

/** Everything wrong with the layout of the page as it is now, one line per element. */
export function layoutProblems(page: Page): Promise<string[]> {
	return page.evaluate(
		({ width, minTap }) => {
			const problems: string[] = [];
			const describe = (el: Element) => {
				const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
				const label = el.getAttribute('aria-label') ?? el.getAttribute('name') ?? '';
				return `<${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}> "${text || label}"`;
			};
			const visible = (el: Element) => {
				const rect = el.getBoundingClientRect();
				if (rect.width === 0 || rect.height === 0) return false;
				const style = getComputedStyle(el);
				return style.visibility !== 'hidden' && style.display !== 'none';
			};
			// Inside a box that clips or scrolls sideways on purpose (e.g. a visually hidden label).
			const clippedByAncestor = (el: Element) => {
				for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
					const overflowX = getComputedStyle(p).overflowX;
					if (overflowX !== 'visible') return true;
				}
				return false;
			};

			const root = document.documentElement;
			if (root.scrollWidth > root.clientWidth) {
				problems.push(`page scrolls sideways: ${root.scrollWidth} px in ${root.clientWidth} px`);
			}
			for (const el of document.body.querySelectorAll('*')) {
				if (!visible(el) || clippedByAncestor(el)) continue;
				const right = el.getBoundingClientRect().right + window.scrollX;
				if (right > width + 0.5)
					problems.push(`past the right edge (${Math.round(right)} px): ${describe(el)}`);
			}

			for (const el of document.querySelectorAll('header *')) {
				if (!visible(el)) continue;
				const style = getComputedStyle(el);
				if (el.scrollWidth > el.clientWidth + 0.5 && style.overflowX !== 'visible') {
					problems.push(
						`header text cut (${el.scrollWidth} px in ${el.clientWidth} px): ${describe(el)}`
					);
				} else if (style.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth) {
					problems.push(`header text ends in an ellipsis: ${describe(el)}`);
				}
			}

			const targets = document.querySelectorAll(
				'a[href], button, input[type=checkbox], input[type=radio], select, [role=button], summary'
			);
			for (const el of targets) {
				if (!visible(el)) continue;
				let rect = el.getBoundingClientRect();
				// A checkbox or radio is tapped through its label: the label's box is the target.
				const label = el instanceof HTMLInputElement ? el.closest('label') : null;
				if (label) {
					const box = label.getBoundingClientRect();
					if (box.width * box.height > rect.width * rect.height) rect = box;
				}
				if (rect.width < minTap - 0.5 || rect.height < minTap - 0.5) {
					problems.push(
						`tap target ${Math.round(rect.width)}×${Math.round(rect.height)} px: ${describe(el)}`
					);
				}
			}
			return problems;
		},
		{ width: WIDTH, minTap: MIN_TAP }
	);
}

export async function check(page: Page, screen: string) {
	// Fonts and lazy parts settle before measuring.
	await page.evaluate(() => document.fonts.ready.then(() => undefined));
	const problems = await layoutProblems(page);
	expect(problems, `${screen} at ${WIDTH} px`).toEqual([]);
}
