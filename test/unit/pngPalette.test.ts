/**
 * scripts/pngPalette.ts, which keeps docs/console.png small: an RGB PNG with few colours comes
 * back as an indexed PNG showing exactly the same pixels, whatever row filters the input used.
 */
import { crc32, deflateSync, inflateSync } from 'node:zlib';

import { toPalettePng } from '../../scripts/pngPalette';

const SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

function chunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(typed));
	return Buffer.concat([length, typed, crc]);
}

function chunks(png: Buffer): Map<string, Buffer> {
	const found = new Map<string, Buffer>();
	for (let offset = 8; offset < png.length; ) {
		const length = png.readUInt32BE(offset);
		const type = png.toString('latin1', offset + 4, offset + 8);
		const data = png.subarray(offset + 8, offset + 8 + length);
		expect(png.readUInt32BE(offset + 8 + length)).toBe(crc32(png.subarray(offset + 4, offset + 8 + length)));
		found.set(type, Buffer.concat([found.get(type) ?? Buffer.alloc(0), data]));
		offset += 12 + length;
	}
	return found;
}

/** A width x height RGB PNG of `pixel(x, y)`, rows filtered with Sub (1) and Up (2) in turn. */
function rgbPng(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Buffer {
	const stride = width * 3;
	const raw = Buffer.alloc(height * (stride + 1));
	let previous = Buffer.alloc(stride);
	for (let y = 0; y < height; y++) {
		const row = Buffer.alloc(stride);
		for (let x = 0; x < width; x++) row.set(pixel(x, y), x * 3);
		const filter = y % 2 === 0 ? 1 : 2;
		raw[y * (stride + 1)] = filter;
		for (let i = 0; i < stride; i++) {
			const predictor = filter === 1 ? (i >= 3 ? row[i - 3] : 0) : previous[i];
			raw[y * (stride + 1) + 1 + i] = (row[i] - predictor) & 255;
		}
		previous = row;
	}
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header[8] = 8;
	header[9] = 2;
	return Buffer.concat([SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

describe('toPalettePng', () => {
	it('turns a few-colour RGB screenshot into an indexed PNG with the same pixels', () => {
		const colours: Array<[number, number, number]> = [
			[255, 255, 255],
			[33, 86, 201],
			[29, 39, 51],
		];
		const pixel = (x: number, y: number): [number, number, number] => colours[(x * 7 + y * 3) % 3];
		const input = rgbPng(40, 9, pixel);

		const output = toPalettePng(input);
		expect(output.subarray(0, 8)).toEqual(SIGNATURE);
		const parts = chunks(output);
		const header = parts.get('IHDR');
		expect(header?.[9]).toBe(3);
		const palette = parts.get('PLTE') ?? Buffer.alloc(0);
		expect(palette.length).toBe(9);
		const raw = inflateSync(parts.get('IDAT') ?? Buffer.alloc(0));
		for (let y = 0; y < 9; y++) {
			expect(raw[y * 41]).toBe(0);
			for (let x = 0; x < 40; x++) {
				const index = raw[y * 41 + 1 + x];
				expect([...palette.subarray(index * 3, index * 3 + 3)]).toEqual(pixel(x, y));
			}
		}
	});

	it('caps the palette at 256 colours when the image has more', () => {
		// 300 greys: the most frequent is pure white, the rarest ones fall onto neighbours.
		const input = rgbPng(300, 2, (x, y) => (y === 0 ? [255, 255, 255] : [x % 256, x % 256, Math.min(255, x)]));
		const parts = chunks(toPalettePng(input));
		expect((parts.get('PLTE') ?? Buffer.alloc(0)).length).toBe(256 * 3);
	});

	it('leaves anything but 8-bit RGB alone', () => {
		const input = rgbPng(2, 2, () => [1, 2, 3]);
		input[8 + 8 + 9] = 6; // RGBA in IHDR (the CRC no longer matters: it is returned untouched)
		expect(toPalettePng(input)).toBe(input);
	});
});
