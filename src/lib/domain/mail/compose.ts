import * as v from 'valibot';
import { isIsoDate, todayIso } from '../dates';
import { parseDocumentNumber } from '../decision-numbers';
import {
	DirectiveSchema,
	MAIL_SCHEMA_VERSION,
	MailDocSchema,
	MeetingSchema,
	mailDocId,
	type AttachmentRef,
	type DirectiveType,
	type MailDoc,
	type MailKind
} from './mail-schema';

// A mail composed on the sender's device (docs/decisions/0021-mail-between-units.md): the form's
// input checked field by field (Vietnamese messages), the recipients resolved from what the device
// knows of the tree, then the `mail:<ulid>` document to write. No clock here: the caller passes now.

/** A unit as the device knows it (the figures records of the unit's database, or the server). */
export interface KnownUnit {
	id: string;
	name: string;
	parentId: string | null;
	status: string;
}

/** How the secretary picked the recipients. */
export type RecipientMode = 'units' | 'children' | 'subtree';

export interface MailInput {
	kind: MailKind;
	mode: RecipientMode;
	/** The units ticked (mode 'units'). */
	recipients: readonly string[];
	subject: string;
	body: string;
	directive?: {
		docType: DirectiveType | '';
		number: string;
		/** ISO date. */
		date: string;
		summary: string;
		/** ISO date or empty. */
		deadline: string;
	};
	meeting?: {
		/** Vietnam's local date (ISO) and time ("HH:MM") as typed. */
		date: string;
		time: string;
		/** Optional end time the same day ("HH:MM"), or empty. */
		endTime: string;
		place: string;
		onlineUrl: string;
		agenda: string;
	};
	/** Named people (logins) of the recipient units the mail is for, or none: the whole unit. */
	people?: readonly string[];
	/** A reply: the mail it answers (its sender unit is the one recipient). */
	replyTo?: { unitId: string; mailId: string; threadId?: string };
	attachments?: readonly AttachmentRef[];
}

export type MailField =
	| 'kind'
	| 'recipients'
	| 'subject'
	| 'body'
	| 'directive.docType'
	| 'directive.number'
	| 'directive.date'
	| 'directive.summary'
	| 'directive.deadline'
	| 'meeting.date'
	| 'meeting.time'
	| 'meeting.endTime'
	| 'meeting.place'
	| 'meeting.onlineUrl'
	| 'meeting.agenda'
	| 'people'
	| 'attachments';

export type MailErrors = Partial<Record<MailField, string>>;

export type ComposeMailResult = { ok: true; doc: MailDoc } | { ok: false; errors: MailErrors };

/** Every active unit below `unitId` the device knows, nearest first. */
export function descendantsOf(options: {
	unitId: string;
	units: readonly KnownUnit[];
}): KnownUnit[] {
	const found: KnownUnit[] = [];
	let frontier = [options.unitId];
	const seen = new Set(frontier);
	while (frontier.length > 0) {
		const next: string[] = [];
		for (const unit of options.units) {
			if (unit.parentId === null || !frontier.includes(unit.parentId) || seen.has(unit.id))
				continue;
			seen.add(unit.id);
			next.push(unit.id);
			if (unit.status === 'active') found.push(unit);
		}
		frontier = next;
	}
	return found;
}

/**
 * The recipient list a mail names: the units ticked, or "all direct subordinates", or "the whole
 * subtree" as far as the device knows the tree. Only active descendants, and — for a message — the
 * ancestors given, count; a reply goes to the unit it answers. Never the sender itself.
 */
export function resolveRecipients(options: {
	kind: MailKind;
	mode: RecipientMode;
	chosen: readonly string[];
	senderId: string;
	units: readonly KnownUnit[];
	/** The sender's ancestors' ids (messages may go up the chain). */
	ancestors?: readonly string[];
	replyTo?: { unitId: string };
}): { ok: true; ids: string[] } | { ok: false; message: string } {
	if (options.replyTo) return { ok: true, ids: [options.replyTo.unitId] };
	const below = descendantsOf({ unitId: options.senderId, units: options.units });
	let ids: string[];
	if (options.mode === 'children') {
		ids = below.filter((u) => u.parentId === options.senderId).map((u) => u.id);
	} else if (options.mode === 'subtree') {
		ids = below.map((u) => u.id);
	} else {
		ids = [...new Set(options.chosen)];
	}
	if (ids.length === 0) return { ok: false, message: 'Hãy chọn ít nhất một đơn vị nhận.' };
	if (ids.includes(options.senderId)) {
		return { ok: false, message: 'Không gửi thư cho chính đơn vị mình.' };
	}
	const allowed = new Set(below.map((u) => u.id));
	if (options.kind === 'message') for (const id of options.ancestors ?? []) allowed.add(id);
	const outside = ids.filter((id) => !allowed.has(id));
	if (outside.length > 0) {
		return {
			ok: false,
			message:
				options.kind === 'message'
					? 'Tin nhắn chỉ gửi được cho đơn vị cấp dưới hoặc cấp trên của đơn vị mình.'
					: `${options.kind === 'directive' ? 'Văn bản chỉ đạo' : 'Giấy mời họp'} chỉ gửi được cho đơn vị cấp dưới.`
		};
	}
	return { ok: true, ids };
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Vietnam's local date and time as typed ("2026-12-08", "14:00") → the UTC instant, ISO. */
export function vietnamLocalToIso(date: string, time: string): string | null {
	if (!isIsoDate(date) || !TIME.test(time)) return null;
	const instant = new Date(`${date}T${time}:00+07:00`);
	return Number.isNaN(instant.getTime()) ? null : instant.toISOString();
}

function firstIssue(result: { success: boolean; issues?: readonly { message: string }[] }) {
	return result.success ? undefined : result.issues?.[0]?.message;
}

function checkDirective(
	input: NonNullable<MailInput['directive']>,
	today: string,
	errors: MailErrors
) {
	const docType = input.docType;
	if (!docType) errors['directive.docType'] = 'Hãy chọn loại văn bản.';
	const number = input.number.trim();
	const parsed = parseDocumentNumber(number);
	if (!number) errors['directive.number'] = 'Hãy nhập số văn bản (ví dụ 15-CV/TĐTN).';
	else if (!parsed) errors['directive.number'] = 'Số văn bản phải có dạng 15-CV/TĐTN.';
	else if (docType && parsed.type !== docType) {
		errors['directive.number'] =
			`Số văn bản ghi loại ${parsed.type}, khác loại văn bản đã chọn (${docType}).`;
	}
	if (!isIsoDate(input.date)) errors['directive.date'] = 'Hãy nhập ngày ban hành văn bản.';
	if (!input.summary.trim()) errors['directive.summary'] = 'Hãy nhập trích yếu văn bản.';
	const deadline = input.deadline.trim();
	if (deadline && !isIsoDate(deadline))
		errors['directive.deadline'] = 'Hạn phải là một ngày có thật.';
	else if (deadline && deadline < today)
		errors['directive.deadline'] = 'Hạn không được trước hôm nay.';
	if (Object.keys(errors).some((k) => k.startsWith('directive.'))) return undefined;
	const parsedDirective = v.safeParse(DirectiveSchema, {
		docType,
		number,
		date: input.date,
		summary: input.summary,
		...(deadline ? { deadline } : {})
	});
	if (!parsedDirective.success) {
		errors['directive.summary'] = firstIssue(parsedDirective);
		return undefined;
	}
	return parsedDirective.output;
}

function checkMeeting(input: NonNullable<MailInput['meeting']>, now: string, errors: MailErrors) {
	if (!isIsoDate(input.date)) errors['meeting.date'] = 'Hãy nhập ngày họp.';
	if (!TIME.test(input.time)) errors['meeting.time'] = 'Hãy nhập giờ họp (ví dụ 14:00).';
	const startsAt = vietnamLocalToIso(input.date, input.time);
	if (startsAt && startsAt <= now) errors['meeting.time'] = 'Thời gian họp đã qua.';
	let endsAt: string | null = null;
	if (input.endTime.trim()) {
		endsAt = vietnamLocalToIso(input.date, input.endTime.trim());
		if (!endsAt) errors['meeting.endTime'] = 'Giờ kết thúc phải có dạng 16:30.';
		else if (startsAt && endsAt <= startsAt) {
			errors['meeting.endTime'] = 'Giờ kết thúc phải sau giờ bắt đầu.';
		}
	}
	const place = input.place.trim();
	const onlineUrl = input.onlineUrl.trim();
	if (!place && !onlineUrl) {
		errors['meeting.place'] = 'Hãy nhập địa điểm họp hoặc đường dẫn họp trực tuyến.';
	}
	if (onlineUrl && !/^https?:\/\//i.test(onlineUrl)) {
		errors['meeting.onlineUrl'] = 'Đường dẫn họp trực tuyến phải bắt đầu bằng https://';
	}
	if (Object.keys(errors).some((k) => k.startsWith('meeting.')) || !startsAt) return undefined;
	const parsed = v.safeParse(MeetingSchema, {
		startsAt,
		...(endsAt ? { endsAt } : {}),
		...(place ? { place } : {}),
		...(onlineUrl ? { onlineUrl } : {}),
		...(input.agenda.trim() ? { agenda: input.agenda } : {})
	});
	if (!parsed.success) {
		const issue = parsed.issues[0];
		const key = issue.path?.[0]?.key;
		const field: MailField =
			key === 'onlineUrl'
				? 'meeting.onlineUrl'
				: key === 'agenda'
					? 'meeting.agenda'
					: 'meeting.place';
		errors[field] = issue.message;
		return undefined;
	}
	return parsed.output;
}

/**
 * The form → a `mail:` document, or the Vietnamese error of each field. A reply keeps the thread
 * (`threadId`: the first mail's ULID) and names the mail it answers.
 */
export function composeMail(options: {
	input: MailInput;
	senderId: string;
	senderName: string;
	units: readonly KnownUnit[];
	ancestors?: readonly { id: string; name: string }[];
	ulid: string;
	/** ISO timestamp (UTC). */
	now: string;
	login: string;
}): ComposeMailResult {
	const { input, now } = options;
	const errors: MailErrors = {};
	const today = todayIso(new Date(now));
	if (input.replyTo && input.kind !== 'message') {
		errors.kind = 'Thư trả lời là một tin nhắn.';
	}
	const resolved = resolveRecipients({
		kind: input.kind,
		mode: input.mode,
		chosen: input.recipients,
		senderId: options.senderId,
		units: options.units,
		ancestors: (options.ancestors ?? []).map((a) => a.id),
		...(input.replyTo ? { replyTo: input.replyTo } : {})
	});
	if (!resolved.ok) errors.recipients = resolved.message;
	const subject = input.subject.trim();
	if (!subject) errors.subject = 'Hãy nhập tiêu đề.';
	else if (subject.length > 200) errors.subject = 'Tiêu đề không quá 200 ký tự.';
	if (input.body.length > 10_000) errors.body = 'Nội dung không quá 10000 ký tự.';
	if (input.kind === 'message' && !input.body.trim() && (input.attachments ?? []).length === 0) {
		errors.body = 'Hãy nhập nội dung tin nhắn.';
	}
	const people = [...new Set((input.people ?? []).map((p) => p.trim()).filter(Boolean))];
	if (people.length > 50) errors.people = 'Gửi riêng tối đa 50 người.';
	else if (people.some((p) => !/^\S{1,64}$/.test(p))) {
		errors.people = 'Mỗi tên tài khoản không có khoảng trắng, không quá 64 ký tự.';
	}
	const directive =
		input.kind === 'directive'
			? input.directive
				? checkDirective(input.directive, today, errors)
				: ((errors['directive.docType'] = 'Hãy chọn loại văn bản.'), undefined)
			: undefined;
	const meeting =
		input.kind === 'meeting'
			? input.meeting
				? checkMeeting(input.meeting, now, errors)
				: ((errors['meeting.date'] = 'Hãy nhập ngày họp.'), undefined)
			: undefined;
	if (Object.keys(errors).length > 0 || !resolved.ok) return { ok: false, errors };

	const names = new Map<string, string>([
		...options.units.map((u) => [u.id, u.name] as const),
		...(options.ancestors ?? []).map((a) => [a.id, a.name] as const)
	]);
	const recipientNames = Object.fromEntries(
		resolved.ids.flatMap((id) => (names.has(id) ? [[id, names.get(id)!]] : []))
	);
	const candidate = {
		_id: mailDocId(options.ulid),
		type: 'mail',
		v: MAIL_SCHEMA_VERSION,
		unitId: options.senderId,
		kind: input.kind,
		subject,
		...(input.body.trim() ? { body: input.body.trim() } : {}),
		recipients: resolved.ids,
		...(people.length > 0 ? { people } : {}),
		threadId: input.replyTo ? (input.replyTo.threadId ?? input.replyTo.mailId) : options.ulid,
		...(input.replyTo
			? { inReplyTo: { unitId: input.replyTo.unitId, mailId: input.replyTo.mailId } }
			: {}),
		...(directive ? { directive } : {}),
		...(meeting ? { meeting } : {}),
		...(input.attachments && input.attachments.length > 0
			? { attachments: [...input.attachments] }
			: {}),
		fromName: options.senderName,
		...(Object.keys(recipientNames).length > 0 ? { recipientNames } : {}),
		createdAt: now,
		createdBy: options.login,
		updatedAt: now,
		updatedBy: options.login
	};
	const parsed = v.safeParse(MailDocSchema, candidate);
	if (!parsed.success) {
		const key = parsed.issues[0].path?.[0]?.key;
		const field: MailField =
			key === 'recipients' ? 'recipients' : key === 'attachments' ? 'attachments' : 'body';
		return { ok: false, errors: { [field]: parsed.issues[0].message } };
	}
	return { ok: true, doc: parsed.output };
}
