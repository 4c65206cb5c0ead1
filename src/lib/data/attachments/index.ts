// The phone's side of mail attachments (docs/decisions/0021-mail-between-units.md, "Attachments").
export { AttachmentError, type AttachmentErrorCode } from './attachment-error';
export {
	ATTACHMENT_CACHE,
	attachmentState,
	forgetAttachments,
	keepAttachments,
	openAttachment,
	type AttachmentLike,
	type AttachmentState,
	type OpenedAttachment
} from './attachment-cache';
export {
	prepareUpload,
	uploadAttachment,
	type UploadedAttachment,
	type UploadProgress
} from './upload';
