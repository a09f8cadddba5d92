-- Service language (DOMAIN.md §9, issue #11 point 13): the manual's standard phrases, word for word in Simplified Chinese, each under
-- the manual's situation. This table is the one source of the phrases (the intake form and the phrases page read it; the CS supervisor
-- edits it). The forbidden phrases are left as they are.
--
-- The manual's situations (前台或热线接待员): 接通后立即应答 (greeting); 客户的问题不能立即答复时 (waiting); 客户非常着急、态度恶劣时
-- (calming); 客户对问题答复或解决不太满意但不再追究时 (not_pursuing); 如客户说谢谢 (thanks); 在一项接待事项结束时 (closing); and its
-- list of polite expressions (文明礼貌用语: polite). 'general' stays for the forbidden phrases and the supervisor's own.
ALTER TABLE service_phrases DROP CONSTRAINT service_phrases_situation_check;
ALTER TABLE service_phrases ADD CONSTRAINT service_phrases_situation_check
    CHECK (situation IN ('greeting','waiting','calming','not_pursuing','thanks','closing','polite','general'));

-- The first seed (0002) put phrases of its own beside the manual's; they are not the manual's words.
DELETE FROM service_phrases WHERE kind = 'standard' AND text IN (
    '您好，这里是客户服务热线，请问有什么可以帮您？',
    '请您稍等，我马上为您查询。',
    '非常理解您的心情，请您别着急，我们一定尽快帮您解决。',
    '给您带来不便，非常抱歉，我们会认真处理。',
    '感谢您的来电，祝您生活愉快，再见。');

INSERT INTO service_phrases (kind, situation, text, sort_order) VALUES
    ('standard', 'greeting',     '您好，有什么需要帮助？', 1),
    ('standard', 'waiting',      '我们会将您反映的问题与相关部门联系，请您留下联系电话，我们将尽快给您答复。', 1),
    ('standard', 'calming',      '请您别着急，慢慢讲（想），我们会尽力帮您解决。', 1),
    ('standard', 'not_pursuing', '谢谢您的理解与支持，我们将不断改进服务，让您满意。', 1),
    ('standard', 'thanks',       '不客气，再见。', 1),
    ('standard', 'closing',      '请问您还有什么需要帮助？', 1),
    ('standard', 'polite',       '请讲', 1),
    ('standard', 'polite',       '欢迎再次拨打', 2),
    ('standard', 'polite',       '再见', 3),
    ('standard', 'polite',       '请问您需要什么帮助？', 4),
    ('standard', 'polite',       '对不起', 5),
    ('standard', 'polite',       '对不起，请稍等。', 6),
    ('standard', 'polite',       '请多提宝贵意见。', 7)
ON CONFLICT (kind, text) DO UPDATE SET situation = EXCLUDED.situation, sort_order = EXCLUDED.sort_order;
