/** The variables that configure each backing service (BazaarHub's names, ../shared/BAZAARHUB_ENV.md). */
export const POSTGRES = ['DATABASE_URL', 'DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASSWORD', 'DB_SSL'];
export const REDIS = ['REDIS_URL', 'REDIS_HOST', 'REDIS_PORT', 'REDIS_PASSWORD'];
export const ELASTICSEARCH = ['ELASTICSEARCH_NODE', 'ELASTICSEARCH_URL', 'ELASTICSEARCH_USERNAME', 'ELASTICSEARCH_PASSWORD'];
export const AWS = ['AWS_REGION', 'AWS_S3_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL', 'AWS_S3_FORCE_PATH_STYLE'];

/**
 * The variables without which an SDK is never used: the runner preloads an SDK only when one of them
 * is set, so a deployment without S3 never pays for the AWS SDK. An SDK not listed is always preloaded.
 */
export const SDK_CONFIGURED_BY: Readonly<Record<string, readonly string[]>> = {
  pg: POSTGRES,
  ioredis: REDIS,
  '@aws-sdk/client-s3': [...AWS, 'AWS_S3_BUCKET', 'AWS_S3_KYC_BUCKET'],
  'nodemailer/lib/smtp-connection': ['SMTP_HOST'],
};
