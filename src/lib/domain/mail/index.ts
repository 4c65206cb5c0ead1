export * from './attachments';
export * from './mail-schema';
