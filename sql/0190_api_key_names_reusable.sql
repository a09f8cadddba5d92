-- A revoked key's name may be given to a new key (a leaked key is replaced by one of the same name): names are unique among the
-- keys not revoked; the revoked key's integration account steps aside as 'api-revoked:{key id}' (ApiKeyRepository.RevokeAsync),
-- and the accounts of keys revoked before this migration do the same here.
DROP INDEX api_keys_name_key;
CREATE UNIQUE INDEX api_keys_name_key ON api_keys (lower(name)) WHERE revoked_at IS NULL;
UPDATE users u SET user_name = 'api-revoked:' || k.id
FROM api_keys k
WHERE k.user_id = u.id AND k.revoked_at IS NOT NULL AND u.is_integration;
