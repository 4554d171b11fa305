/** `+91 98765-43210` -> `9876543210`; undefined when it is not a 10-digit number. */
export function normalisePhoneNumber(input: string): string | undefined {
	let digits = input.replace(/[\s().-]/g, '');
	if (/^\+91\d{10}$/.test(digits)) digits = digits.slice(3);
	else if (/^91\d{10}$/.test(digits)) digits = digits.slice(2);
	else if (/^0\d{10}$/.test(digits)) digits = digits.slice(1);
	return /^\d{10}$/.test(digits) ? digits : undefined;
}
