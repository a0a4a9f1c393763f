/**
 * Who a problem summary mentions, per webhook (from the secret). Each platform takes
 * the subset it supports; see webhook-schema.ts and the README for the mapping.
 */
export interface Mention {
  /** Slack member ids (U…), Feishu open_id/user_id, DingTalk userId, WeCom userid. */
  userIds?: string[];
  /** Phone numbers: DingTalk and WeCom only. */
  mobiles?: string[];
  /** Slack user-group ids (S…), shown as `@group`. */
  groupIds?: string[];
  /** Everyone in the chat: Slack @channel, Feishu/DingTalk/WeCom @all. */
  all?: boolean;
}

/** A webhook from the secret. Feishu, DingTalk and the generic webhook may be signed. */
export type Webhook =
  | { kind: 'slack'; url: string; mention?: Mention }
  | { kind: 'feishu'; url: string; secret?: string; mention?: Mention }
  | { kind: 'dingtalk'; url: string; secret?: string; mention?: Mention }
  | { kind: 'wecom'; url: string; mention?: Mention }
  | { kind: 'generic'; url: string; secret?: string };

export type WebhookKind = Webhook['kind'];

/** One HTTP request to a webhook. A channel may need two (WeCom mentions by phone). */
export interface WebhookRequest {
  url: string;
  headers?: Record<string, string>;
  /** The JSON text sent, exactly (the generic webhook signs these bytes). */
  body: string;
}
