export * from './attachments';
export * from './compose';
export * from './mail-schema';
export * from './meeting-time';
export * from './receipts';
export * from './sent-status';
