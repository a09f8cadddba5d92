-- Counting rule 5 (DOMAIN.md §4): complaints are classified by their final root cause (最终原因), two levels,
-- separately from the customer's own description (表象, complaints.content).
CREATE TABLE root_causes (
    id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id   integer REFERENCES root_causes(id),
    name        text NOT NULL,
    name_en     text NOT NULL,
    definition  text NOT NULL DEFAULT '',
    is_active   boolean NOT NULL DEFAULT true,
    sort_order  integer NOT NULL DEFAULT 0,
    UNIQUE (parent_id, name)
);

ALTER TABLE complaints ADD COLUMN root_cause_id integer REFERENCES root_causes(id);

INSERT INTO root_causes (parent_id, name, name_en, definition, sort_order) VALUES
    (NULL, '工程质量', 'Construction quality', '房屋及公共部位的设计、施工、材料造成的问题', 1),
    (NULL, '物业服务', 'Property services', '物业管理公司的服务、收费、安全、保洁、绿化等问题', 2),
    (NULL, '销售与合同', 'Sales and contracts', '销售承诺、合同条款、交付手续与产权办理的问题', 3),
    (NULL, '服务态度', 'Service attitude', '员工的服务态度、服务用语、办事拖延等问题', 4),
    (NULL, '配套设施', 'Amenities', '小区配套、市政与周边设施的问题', 5);
INSERT INTO root_causes (parent_id, name, name_en, definition, sort_order)
SELECT p.id, c.name, c.name_en, c.definition, c.sort_order
FROM (VALUES
    ('工程质量', '渗漏', 'Leaks', '屋面、外墙、门窗、管道渗漏水', 1),
    ('工程质量', '墙体开裂', 'Wall cracks', '墙面、地面空鼓、开裂', 2),
    ('工程质量', '设备故障', 'Equipment faults', '电梯、水泵、门禁等设备设施故障', 3),
    ('物业服务', '维修不及时', 'Slow repairs', '报修后未按时上门或维修质量差', 1),
    ('物业服务', '收费争议', 'Fee disputes', '物业费、停车费等收费标准或计费争议', 2),
    ('物业服务', '安全秩序', 'Security and order', '门岗、巡逻、车辆秩序等问题', 3),
    ('物业服务', '环境卫生', 'Cleaning and greenery', '保洁、垃圾清运、绿化养护问题', 4),
    ('销售与合同', '销售承诺未兑现', 'Unkept sales promises', '销售人员承诺与实际交付不符', 1),
    ('销售与合同', '办证延误', 'Title delays', '产权证等手续办理延误', 2),
    ('服务态度', '服务用语不当', 'Improper language', '使用服务忌语或态度生硬', 1),
    ('服务态度', '推诿拖延', 'Shirking and delay', '推诿、拒绝或无故拖延处理', 2),
    ('配套设施', '车位不足', 'Too few parking spaces', '车位数量或分配问题', 1),
    ('配套设施', '周边环境', 'Surroundings', '噪音、施工、交通等周边问题', 2)
) AS c(parent, name, name_en, definition, sort_order)
JOIN root_causes p ON p.name = c.parent AND p.parent_id IS NULL;
