<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>ComparisonView</name>
    <message>
        <source>Compare with prior</source>
        <translation>与前次对比</translation>
    </message>
    <message>
        <source>Nodule</source>
        <translation>结节</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Confirm match…</source>
        <translation>确认匹配…</translation>
    </message>
    <message>
        <source>Record that both visits show the same nodule</source>
        <translation>记录两次检查为同一结节</translation>
    </message>
    <message>
        <source>Re-link…</source>
        <translation>重新关联…</translation>
    </message>
    <message>
        <source>This measurement belongs to another nodule of the patient</source>
        <translation>此测量属于该患者的另一结节</translation>
    </message>
    <message>
        <source>Split…</source>
        <translation>拆分…</translation>
    </message>
    <message>
        <source>Not the same lesion: make this measurement a new nodule</source>
        <translation>不是同一病灶：将此测量设为新结节</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Patient %1 has no earlier visit to compare with</source>
        <translation>患者 %1 没有可对比的既往检查</translation>
    </message>
    <message>
        <source>This nodule&apos;s patient has no earlier visit to compare with</source>
        <translation>该结节的患者没有可对比的既往检查</translation>
    </message>
    <message>
        <source>Loading both visits and registering them…</source>
        <translation>正在载入两次检查并配准…</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Prior</source>
        <translation>前次</translation>
    </message>
    <message>
        <source>Current</source>
        <translation>本次</translation>
    </message>
    <message>
        <source>Prior: %1  %2</source>
        <translation>前次：%1  %2</translation>
    </message>
    <message>
        <source>Current: %1  %2</source>
        <translation>本次：%1  %2</translation>
    </message>
    <message>
        <source>growing</source>
        <translation>增大</translation>
    </message>
    <message>
        <source>stable</source>
        <translation>稳定</translation>
    </message>
    <message>
        <source>shrinking</source>
        <translation>缩小</translation>
    </message>
    <message>
        <source>indeterminate (within measurement uncertainty)</source>
        <translation>不确定（在测量误差范围内）</translation>
    </message>
    <message>
        <source>volume decreasing: no doubling time</source>
        <translation>体积缩小：无倍增时间</translation>
    </message>
    <message>
        <source>VDT %1 days</source>
        <translation>倍增时间 %1 天</translation>
    </message>
    <message>
        <source>(change within measurement uncertainty)</source>
        <translation>（变化在测量误差范围内）</translation>
    </message>
    <message>
        <source>No nodule measured on the current visit</source>
        <translation>本次检查未测量结节</translation>
    </message>
    <message>
        <source>No earlier measurement of this nodule</source>
        <translation>该结节无既往测量</translation>
    </message>
    <message>
        <source>%1 days since the prior</source>
        <translation>距前次 %1 天</translation>
    </message>
    <message>
        <source>volume %1 %</source>
        <translation>体积 %1 %</translation>
    </message>
    <message>
        <source>(unchanged within %1 to %2 %)</source>
        <translation>（无变化范围 %1 至 %2 %）</translation>
    </message>
    <message>
        <source>mean diameter %1 mm</source>
        <translation>平均径 %1 mm</translation>
    </message>
    <message>
        <source>Linked to the prior when it was measured</source>
        <translation>测量时已关联到前次结节</translation>
    </message>
    <message>
        <source>Matched through the registration</source>
        <translation>经配准自动匹配</translation>
    </message>
    <message>
        <source>Confirmed</source>
        <translation>已确认</translation>
    </message>
    <message>
        <source>Re-linked</source>
        <translation>已重新关联</translation>
    </message>
    <message>
        <source>Split off as a new nodule</source>
        <translation>已拆分为新结节</translation>
    </message>
    <message>
        <source>Not found on this visit (resolved)</source>
        <translation>本次未见（已吸收）</translation>
    </message>
    <message>
        <source>New on this visit</source>
        <translation>本次新发</translation>
    </message>
    <message>
        <source>%1 by %2 at %3</source>
        <translation>%1（%2，于 %3）</translation>
    </message>
    <message>
        <source>Reason (required):</source>
        <translation>理由（必填）：</translation>
    </message>
    <message>
        <source>Reason (optional):</source>
        <translation>理由（选填）：</translation>
    </message>
    <message>
        <source>Confirm match</source>
        <translation>确认匹配</translation>
    </message>
    <message>
        <source>The patient has no other nodule to link to</source>
        <translation>该患者没有其他可关联的结节</translation>
    </message>
    <message>
        <source>Re-link</source>
        <translation>重新关联</translation>
    </message>
    <message>
        <source>This measurement is of nodule:</source>
        <translation>此测量属于结节：</translation>
    </message>
    <message>
        <source>Split</source>
        <translation>拆分</translation>
    </message>
</context>
<context>
    <name>DicomNodesDialog</name>
    <message>
        <source>DICOM nodes</source>
        <translation>DICOM 节点</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>AE title</source>
        <translation>AE 标题</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>主机</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <source>Retrieve by</source>
        <translation>获取方式</translation>
    </message>
    <message>
        <source>Add node</source>
        <translation>添加节点</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Verify (C-ECHO)</source>
        <translation>验证连接 (C-ECHO)</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>This workstation</source>
        <translation>本工作站</translation>
    </message>
    <message>
        <source>Remote nodes (PACS, CT scanners)</source>
        <translation>远程节点 (PACS、CT 扫描仪)</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Receive queue</source>
        <translation>接收队列</translation>
    </message>
    <message>
        <source>Query / retrieve</source>
        <translation>查询 / 获取</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <source>%1 answered the C-ECHO in %2 ms</source>
        <translation>%1 已响应 C-ECHO，用时 %2 毫秒</translation>
    </message>
    <message>
        <source>Verifying %1…</source>
        <translation>正在验证 %1…</translation>
    </message>
    <message>
        <source>Receiving as %1 on port %2</source>
        <translation>正在以 %1 在端口 %2 接收</translation>
    </message>
    <message>
        <source>Stop receiving</source>
        <translation>停止接收</translation>
    </message>
    <message>
        <source>Not receiving</source>
        <translation>未在接收</translation>
    </message>
    <message>
        <source>Start receiving</source>
        <translation>开始接收</translation>
    </message>
    <message>
        <source>%1: receiving, %2 image(s) so far</source>
        <translation>%1：正在接收，已收到 %2 幅图像</translation>
    </message>
    <message>
        <source>%1: series %2 complete, %3 slice(s)</source>
        <translation>%1：序列 %2 已接收完整，共 %3 层</translation>
    </message>
    <message>
        <source>%1 at %2 refused: not a configured node</source>
        <translation>已拒绝来自 %2 的 %1：不是已配置的节点</translation>
    </message>
    <message>
        <source>%1: failed: %2</source>
        <translation>%1：失败：%2</translation>
    </message>
</context>
<context>
    <name>DicomNodesMenu</name>
    <message>
        <source>&amp;DICOM nodes…</source>
        <translation>DICOM 节点(&amp;D)…</translation>
    </message>
    <message>
        <source>PACS and CT scanner connections, receive queue, retrieve</source>
        <translation>PACS 与 CT 扫描仪连接、接收队列、获取影像</translation>
    </message>
</context>
<context>
    <name>EditTools</name>
    <message>
        <source>Caliper</source>
        <translation>卡尺</translation>
    </message>
    <message>
        <source>Caliper (C): drag the long axis, then the short axis; Esc cancels</source>
        <translation>卡尺（C）：先拖出长径，再拖出短径；Esc 取消</translation>
    </message>
    <message>
        <source>Brush</source>
        <translation>画笔</translation>
    </message>
    <message>
        <source>Brush (B): paint the nodule mask, shift erases, [ ] radius, Enter applies</source>
        <translation>画笔（B）：修改结节掩膜，按住 Shift 擦除，[ ] 调整半径，回车应用</translation>
    </message>
    <message>
        <source>No nodule to give the caliper&apos;s axes to: measure one first.</source>
        <translation>没有可接收卡尺测量的结节：请先测量一个结节。</translation>
    </message>
    <message>
        <source>Select a measured nodule to correct its mask.</source>
        <translation>请选择一个已测量的结节以修正其掩膜。</translation>
    </message>
    <message>
        <source>The edited mask is empty; nothing was stored.</source>
        <translation>编辑后的掩膜为空，未保存。</translation>
    </message>
    <message>
        <source>%1 mm</source>
        <translation>%1 毫米</translation>
    </message>
</context>
<context>
    <name>FollowUpWorklistDialog</name>
    <message>
        <source>Follow-up worklist</source>
        <translation>随访复查名单</translation>
    </message>
    <message>
        <source>All patients</source>
        <translation>全部患者</translation>
    </message>
    <message>
        <source>Due this week</source>
        <translation>本周到期</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>已逾期</translation>
    </message>
    <message>
        <source>Lung-RADS 4A or higher</source>
        <translation>Lung-RADS 4A 类及以上</translation>
    </message>
    <message>
        <source>Patient ID</source>
        <translation>患者编号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Next due</source>
        <translation>应复查日期</translation>
    </message>
    <message>
        <source>Overdue (days)</source>
        <translation>逾期（天）</translation>
    </message>
    <message>
        <source>Lung-RADS</source>
        <translation>Lung-RADS 分类</translation>
    </message>
    <message>
        <source>Last CT</source>
        <translation>末次 CT</translation>
    </message>
    <message>
        <source>Reason / management</source>
        <translation>依据 / 处理建议</translation>
    </message>
    <message>
        <source>Compare with prior</source>
        <translation>与前次对比</translation>
    </message>
    <message>
        <source>Set date…</source>
        <translation>设定日期…</translation>
    </message>
    <message>
        <source>Set the next follow-up date by hand, with a reason</source>
        <translation>手动设定下次复查日期（需填写理由）</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Print list (PDF)…</source>
        <translation>打印名单（PDF）…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message numerus="yes">
        <source>%n patient(s)</source>
        <translation>
            <numerusform>%n 位患者</numerusform>
        </translation>
    </message>
    <message>
        <source>awaiting report</source>
        <translation>待报告</translation>
    </message>
    <message>
        <source>follow-up CT of %1 awaits its report</source>
        <translation>%1 的复查 CT 待报告</translation>
    </message>
    <message>
        <source>Follow-up of %1 set</source>
        <translation>已设定 %1 的复查日期</translation>
    </message>
    <message>
        <source>Set the next follow-up date</source>
        <translation>设定下次复查日期</translation>
    </message>
    <message>
        <source>Why the date differs from the report (required)</source>
        <translation>与报告建议日期不同的理由（必填）</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>患者</translation>
    </message>
    <message>
        <source>Next follow-up</source>
        <translation>下次复查</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>理由</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>Export follow-up worklist</source>
        <translation>导出随访复查名单</translation>
    </message>
    <message>
        <source>Cannot save %1: %2</source>
        <translation>无法保存 %1：%2</translation>
    </message>
</context>
<context>
    <name>GrowthChart</name>
    <message>
        <source>No measurements</source>
        <translation>无测量数据</translation>
    </message>
    <message>
        <source>mm³ (log)</source>
        <translation>体积 mm³（对数）</translation>
    </message>
    <message>
        <source>mm</source>
        <translation>平均径 mm</translation>
    </message>
    <message>
        <source>Volume</source>
        <translation>体积</translation>
    </message>
    <message>
        <source>Mean diameter</source>
        <translation>平均径</translation>
    </message>
</context>
<context>
    <name>ImportProblemsDialog</name>
    <message>
        <source>Import: what could not be used</source>
        <translation>导入：无法使用的内容</translation>
    </message>
    <message numerus="yes">
        <source>%n series imported.</source>
        <translation>
            <numerusform>已导入 %n 个序列。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n problem(s): files skipped and series with missing slices.</source>
        <translation>
            <numerusform>%n 个问题：跳过的文件和缺失层面的序列。</numerusform>
        </translation>
    </message>
    <message>
        <source>File or series</source>
        <translation>文件或序列</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
</context>
<context>
    <name>Jobs</name>
    <message>
        <source>Cannot read file %1: %2</source>
        <translation>无法读取文件 %1：%2</translation>
    </message>
    <message>
        <source>Series %1 cannot be opened: %2</source>
        <translation>无法打开序列 %1：%2</translation>
    </message>
    <message>
        <source>The local database cannot be used: %1</source>
        <translation>本地数据库无法使用：%1</translation>
    </message>
    <message>
        <source>File error: %1</source>
        <translation>文件错误：%1</translation>
    </message>
    <message>
        <source>Unexpected error: %1</source>
        <translation>意外错误：%1</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>NoduleDesk</source>
        <translation>NoduleDesk 肺结节工作站</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Main toolbar</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source>3D view</source>
        <translation>三维视图</translation>
    </message>
    <message>
        <source>&amp;Import folder…</source>
        <translation>导入文件夹(&amp;I)…</translation>
    </message>
    <message>
        <source>Find CT series in a folder and add them to the worklist</source>
        <translation>在文件夹中查找 CT 序列并加入工作列表</translation>
    </message>
    <message>
        <source>&amp;Refresh worklist</source>
        <translation>刷新工作列表(&amp;R)</translation>
    </message>
    <message>
        <source>Reload the worklist</source>
        <translation>重新载入工作列表</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Quit NoduleDesk</source>
        <translation>退出 NoduleDesk</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>Language and preferences</source>
        <translation>语言与偏好设置</translation>
    </message>
    <message>
        <source>&amp;Measure nodule at crosshair</source>
        <translation>在十字线处测量结节(&amp;M)</translation>
    </message>
    <message>
        <source>Segment and measure the nodule under the crosshair</source>
        <translation>分割并测量十字线下的结节</translation>
    </message>
    <message>
        <source>&amp;About NoduleDesk</source>
        <translation>关于 NoduleDesk(&amp;A)</translation>
    </message>
    <message>
        <source>About NoduleDesk</source>
        <translation>关于 NoduleDesk</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Cancel the running job</source>
        <translation>取消正在运行的任务</translation>
    </message>
    <message>
        <source>Show the 3D view (2×2 layout)</source>
        <translation>显示三维视图（2×2 布局）</translation>
    </message>
    <message>
        <source>Lung window</source>
        <translation>肺窗</translation>
    </message>
    <message>
        <source>W/L preset: lung</source>
        <translation>窗宽窗位预设：肺窗</translation>
    </message>
    <message>
        <source>Mediastinal window</source>
        <translation>纵隔窗</translation>
    </message>
    <message>
        <source>W/L preset: mediastinum</source>
        <translation>窗宽窗位预设：纵隔窗</translation>
    </message>
    <message>
        <source>Bone window</source>
        <translation>骨窗</translation>
    </message>
    <message>
        <source>W/L preset: bone</source>
        <translation>窗宽窗位预设：骨窗</translation>
    </message>
    <message>
        <source>Soft-tissue window</source>
        <translation>软组织窗</translation>
    </message>
    <message>
        <source>W/L preset: soft tissue</source>
        <translation>窗宽窗位预设：软组织窗</translation>
    </message>
    <message>
        <source>&amp;Compare with prior</source>
        <translation>与前次对比(&amp;C)</translation>
    </message>
    <message>
        <source>The selected nodule, or the patient, beside the prior visit (F6)</source>
        <translation>将所选结节或患者与前次检查并排对比 (F6)</translation>
    </message>
    <message>
        <source>&amp;Follow-up worklist…</source>
        <translation>随访复查名单(&amp;F)…</translation>
    </message>
    <message>
        <source>Who is due for a follow-up CT (F7)</source>
        <translation>哪些患者应复查 CT (F7)</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Open a study or select a nodule first</source>
        <translation>请先打开检查或选择结节</translation>
    </message>
    <message>
        <source>Opening %1</source>
        <translation>正在打开 %1</translation>
    </message>
    <message numerus="yes">
        <source>%n slice(s) loaded</source>
        <translation>
            <numerusform>已载入 %n 层</numerusform>
        </translation>
    </message>
    <message>
        <source>Import folder</source>
        <translation>导入文件夹</translation>
    </message>
    <message>
        <source>Importing %1</source>
        <translation>正在导入 %1</translation>
    </message>
    <message>
        <source>Imported %1 series; %2 file(s) skipped</source>
        <translation>已导入 %1 个序列；跳过 %2 个文件</translation>
    </message>
    <message>
        <source>NoduleDesk: a workstation for lung-nodule branch centers. Read chest CT, measure and follow nodules, report to the parent center.</source>
        <translation>NoduleDesk：肺结节诊治分中心工作站。阅读胸部 CT，测量并随访结节，向上级中心报告。</translation>
    </message>
</context>
<context>
    <name>MeasureStatus</name>
    <message>
        <source>Only aerated lung there: no nodule near the point you clicked.</source>
        <translation>该处仅为含气肺组织：点击位置附近未见结节。</translation>
    </message>
    <message>
        <source>The point lies on the chest wall or mediastinum, not on a nodule.</source>
        <translation>该点位于胸壁或纵隔，不在结节上。</translation>
    </message>
    <message>
        <source>The point is not in the lung.</source>
        <translation>该点不在肺内。</translation>
    </message>
    <message>
        <source>The point lies outside the scan.</source>
        <translation>该点超出扫描范围。</translation>
    </message>
    <message>
        <source>The nodule reaches slices missing from this series: no automatic volume across the gap.</source>
        <translation>结节延伸到本序列缺失的层面：不跨缺失层面自动计算体积。</translation>
    </message>
    <message>
        <source>The nodule could not be outlined automatically (%1).</source>
        <translation>无法自动勾画该结节（%1）。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Measure with the caliper (C)</source>
        <translation>用卡尺测量 (C)</translation>
    </message>
    <message numerus="yes">
        <source>Measuring %n nodule(s)…</source>
        <translation>
            <numerusform>正在测量 %n 个结节…</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>NoduleHistoryTable</name>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Long axis
(mm)</source>
        <translation>长径
(mm)</translation>
    </message>
    <message>
        <source>Short axis
(mm)</source>
        <translation>短径
(mm)</translation>
    </message>
    <message>
        <source>Mean diam.
(mm)</source>
        <translation>平均径
(mm)</translation>
    </message>
    <message>
        <source>Volume
(mm³)</source>
        <translation>体积
(mm³)</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>密度类型</translation>
    </message>
    <message>
        <source>Solid part
(mm)</source>
        <translation>实性成分
(mm)</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>分类</translation>
    </message>
    <message>
        <source>Measured by</source>
        <translation>测量者</translation>
    </message>
    <message>
        <source>Solid</source>
        <translation>实性</translation>
    </message>
    <message>
        <source>Part-solid</source>
        <translation>部分实性</translation>
    </message>
    <message>
        <source>Ground glass</source>
        <translation>磨玻璃</translation>
    </message>
</context>
<context>
    <name>NodulePanelDock</name>
    <message>
        <source>Right upper lobe</source>
        <translation>右肺上叶</translation>
    </message>
    <message>
        <source>Right middle lobe</source>
        <translation>右肺中叶</translation>
    </message>
    <message>
        <source>Right lower lobe</source>
        <translation>右肺下叶</translation>
    </message>
    <message>
        <source>Left upper lobe</source>
        <translation>左肺上叶</translation>
    </message>
    <message>
        <source>Lingula</source>
        <translation>左肺舌段</translation>
    </message>
    <message>
        <source>Left lower lobe</source>
        <translation>左肺下叶</translation>
    </message>
    <message>
        <source>Smooth</source>
        <translation>光滑</translation>
    </message>
    <message>
        <source>Lobulated</source>
        <translation>分叶</translation>
    </message>
    <message>
        <source>Spiculated</source>
        <translation>毛刺</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Diffuse (benign)</source>
        <translation>弥漫性（良性）</translation>
    </message>
    <message>
        <source>Central (benign)</source>
        <translation>中心性（良性）</translation>
    </message>
    <message>
        <source>Laminated (benign)</source>
        <translation>层状（良性）</translation>
    </message>
    <message>
        <source>Popcorn (benign)</source>
        <translation>爆米花样（良性）</translation>
    </message>
    <message>
        <source>Stippled</source>
        <translation>点状</translation>
    </message>
    <message>
        <source>Eccentric</source>
        <translation>偏心性</translation>
    </message>
    <message>
        <source>Amorphous</source>
        <translation>无定形</translation>
    </message>
    <message>
        <source>Parenchymal</source>
        <translation>肺实质内</translation>
    </message>
    <message>
        <source>Perifissural</source>
        <translation>叶间裂旁</translation>
    </message>
    <message>
        <source>Juxtapleural</source>
        <translation>胸膜下</translation>
    </message>
    <message>
        <source>Airway (endobronchial)</source>
        <translation>气道内（支气管内）</translation>
    </message>
    <message>
        <source>Solid</source>
        <translation>实性</translation>
    </message>
    <message>
        <source>Part-solid</source>
        <translation>部分实性</translation>
    </message>
    <message>
        <source>Ground-glass</source>
        <translation>磨玻璃</translation>
    </message>
    <message>
        <source>RUL</source>
        <translation>右上叶</translation>
    </message>
    <message>
        <source>RML</source>
        <translation>右中叶</translation>
    </message>
    <message>
        <source>RLL</source>
        <translation>右下叶</translation>
    </message>
    <message>
        <source>LUL</source>
        <translation>左上叶</translation>
    </message>
    <message>
        <source>LLL</source>
        <translation>左下叶</translation>
    </message>
    <message>
        <source>Nodules</source>
        <translation>结节</translation>
    </message>
    <message>
        <source>Nodule</source>
        <translation>结节</translation>
    </message>
    <message>
        <source>Lobe</source>
        <translation>肺叶</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Long × short (mm)</source>
        <translation>长径×短径 (mm)</translation>
    </message>
    <message>
        <source>Mean (mm)</source>
        <translation>平均径 (mm)</translation>
    </message>
    <message>
        <source>Volume (mm³)</source>
        <translation>体积 (mm³)</translation>
    </message>
    <message>
        <source>Solid (mm)</source>
        <translation>实性成分 (mm)</translation>
    </message>
    <message>
        <source>Lung-RADS</source>
        <translation>Lung-RADS 分类</translation>
    </message>
    <message>
        <source>Margin</source>
        <translation>边缘</translation>
    </message>
    <message>
        <source>Calcification</source>
        <translation>钙化</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>位置</translation>
    </message>
    <message>
        <source>Density type</source>
        <translation>密度类型</translation>
    </message>
    <message>
        <source>Long / short axis</source>
        <translation>长径 / 短径</translation>
    </message>
    <message>
        <source>Apply changes</source>
        <translation>应用修改</translation>
    </message>
    <message>
        <source>Report…</source>
        <translation>报告…</translation>
    </message>
    <message>
        <source>Reject…</source>
        <translation>排除…</translation>
    </message>
    <message>
        <source>Not a nodule: take it out of this study (Delete)</source>
        <translation>不是结节：从本次检查中排除 (Delete)</translation>
    </message>
    <message>
        <source>Reject finding…</source>
        <translation>排除此发现…</translation>
    </message>
    <message>
        <source>Compare with prior</source>
        <translation>与前次对比</translation>
    </message>
    <message>
        <source>Slices %1 are missing from this series and were interpolated: no automatic volume across them.</source>
        <translation>本序列缺失第 %1 层（已插值填补）：不跨这些层面自动计算体积。</translation>
    </message>
    <message>
        <source>Loading the series…</source>
        <translation>正在加载序列…</translation>
    </message>
    <message>
        <source>No nodules yet: open a series to list its nodules.</source>
        <translation>暂无结节：打开一个序列以列出其结节。</translation>
    </message>
    <message>
        <source>Ctrl+click a nodule in a 2D view to measure it.</source>
        <translation>在二维视图中按住 Ctrl 单击结节即可测量。</translation>
    </message>
    <message numerus="yes">
        <source>%n nodule(s) on this study.</source>
        <translation>
            <numerusform>本次检查共 %n 个结节。</numerusform>
        </translation>
    </message>
    <message>
        <source>right lung, upper zone</source>
        <translation>右肺上野</translation>
    </message>
    <message>
        <source>right lung, middle zone</source>
        <translation>右肺中野</translation>
    </message>
    <message>
        <source>right lung, lower zone</source>
        <translation>右肺下野</translation>
    </message>
    <message>
        <source>left lung, upper zone</source>
        <translation>左肺上野</translation>
    </message>
    <message>
        <source>left lung, middle zone</source>
        <translation>左肺中野</translation>
    </message>
    <message>
        <source>left lung, lower zone</source>
        <translation>左肺下野</translation>
    </message>
    <message>
        <source>Lung-RADS by mean diameter %1, by volume %2: the category follows the diameter.</source>
        <translation>Lung-RADS 按平均径为 %1 类，按体积为 %2 类：分类按平均径。</translation>
    </message>
    <message>
        <source>Position: %1 (suggests %2)</source>
        <translation>位置：%1（提示 %2）</translation>
    </message>
    <message>
        <source>%1 is already measured: selected it.</source>
        <translation>%1 已测量：已选中。</translation>
    </message>
    <message>
        <source>This lesion is being measured.</source>
        <translation>该病灶正在测量中。</translation>
    </message>
    <message>
        <source>No nodule measured: %1 Measure it with the caliper instead.</source>
        <translation>未测得结节：%1 请改用卡尺测量。</translation>
    </message>
    <message>
        <source>The signed report changed: version %1 is pending your signature.</source>
        <translation>已签署的报告有变动：第 %1 版待您签署。</translation>
    </message>
    <message>
        <source>Reject %1</source>
        <translation>排除 %1</translation>
    </message>
    <message>
        <source>Why is %1 not a nodule? (kept in its history)</source>
        <translation>为什么 %1 不是结节？（理由保留在其历史记录中）</translation>
    </message>
    <message>
        <source>Vessel</source>
        <translation>血管</translation>
    </message>
    <message>
        <source>Scar or atelectasis</source>
        <translation>瘢痕或肺不张</translation>
    </message>
    <message>
        <source>Artefact</source>
        <translation>伪影</translation>
    </message>
</context>
<context>
    <name>OpenGLUnavailableWidget</name>
    <message>
        <source>3D view unavailable: OpenGL could not be initialised.
The 2D views work normally. Updating the graphics driver may help.</source>
        <translation>三维视图不可用：无法初始化 OpenGL。
二维视图可正常使用。更新显卡驱动可能有帮助。</translation>
    </message>
</context>
<context>
    <name>ParentCenterDock</name>
    <message>
        <source>Parent center</source>
        <translation>上级中心</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>项目</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Send for consultation…</source>
        <translation>申请会诊…</translation>
    </message>
    <message>
        <source>Refer to parent center…</source>
        <translation>转诊至上级中心…</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>sending</source>
        <translation>发送中</translation>
    </message>
    <message>
        <source>sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>requested</source>
        <translation>已申请</translation>
    </message>
    <message>
        <source>answered</source>
        <translation>已答复</translation>
    </message>
    <message>
        <source>referred</source>
        <translation>已转诊</translation>
    </message>
    <message>
        <source>accepted</source>
        <translation>已接收</translation>
    </message>
    <message>
        <source>returned for follow-up</source>
        <translation>已转回随访</translation>
    </message>
    <message>
        <source>Case summary</source>
        <translation>病例摘要</translation>
    </message>
    <message>
        <source>Consultation series</source>
        <translation>会诊影像序列</translation>
    </message>
    <message>
        <source>Referral series</source>
        <translation>转诊影像序列</translation>
    </message>
    <message>
        <source>Consultation</source>
        <translation>会诊</translation>
    </message>
    <message>
        <source>No parent center is set: Tools &gt; Parent center…</source>
        <translation>尚未设置上级中心：工具 &gt; 上级中心…</translation>
    </message>
    <message>
        <source>Open a study to see what was sent for it.</source>
        <translation>打开一个检查以查看其发送情况。</translation>
    </message>
    <message>
        <source>Sent to the parent center</source>
        <translation>已发往上级中心</translation>
    </message>
    <message>
        <source>Requests</source>
        <translation>申请</translation>
    </message>
    <message>
        <source>Referral</source>
        <translation>转诊</translation>
    </message>
    <message>
        <source>Parent center opinions</source>
        <translation>上级中心意见</translation>
    </message>
    <message>
        <source>Preparing the de-identified series…</source>
        <translation>正在准备去标识化的影像序列…</translation>
    </message>
    <message>
        <source>Queued: it is sent at the next sync.</source>
        <translation>已排队：将在下次同步时发送。</translation>
    </message>
    <message>
        <source>Syncing with the parent center…</source>
        <translation>正在与上级中心同步…</translation>
    </message>
    <message>
        <source>Sent %1, pending %2, opinions received %3</source>
        <translation>已发送 %1，待发送 %2，收到意见 %3</translation>
    </message>
    <message>
        <source>Stopped: %1</source>
        <translation>已停止：%1</translation>
    </message>
</context>
<context>
    <name>ParentCenterMenu</name>
    <message>
        <source>Parent &amp;center…</source>
        <translation>上级中心(&amp;C)…</translation>
    </message>
    <message>
        <source>DICOMweb link to the provincial parent center</source>
        <translation>通过 DICOMweb 连接省级上级中心</translation>
    </message>
    <message numerus="yes">
        <source>%n opinion(s) from the parent center received</source>
        <translation>
            <numerusform>收到上级中心意见 %n 条</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ParentCenterSettingsDialog</name>
    <message>
        <source>Parent center</source>
        <translation>上级中心</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>Report summary (SR, PDF, key images)</source>
        <translation>报告摘要（结构化报告、PDF、关键图像）</translation>
    </message>
    <message>
        <source>Summary and the CT series</source>
        <translation>摘要及 CT 影像序列</translation>
    </message>
    <message>
        <source>Shift dates per patient (intervals kept)</source>
        <translation>按患者平移日期（保留间隔）</translation>
    </message>
    <message>
        <source>Keep dates as they are</source>
        <translation>保留原始日期</translation>
    </message>
    <message>
        <source>Keep sex, age, size and weight</source>
        <translation>保留性别、年龄、身高和体重</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <source>DICOMweb URL</source>
        <translation>DICOMweb 地址</translation>
    </message>
    <message>
        <source>Branch ID</source>
        <translation>分中心编号</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>CA certificate file</source>
        <translation>CA 证书文件</translation>
    </message>
    <message>
        <source>Send on signing</source>
        <translation>签发时发送</translation>
    </message>
    <message>
        <source>Dates</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt)</source>
        <translation>证书 (*.pem *.crt)</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>Connected: %1</source>
        <translation>已连接：%1</translation>
    </message>
    <message>
        <source>Cannot connect: %1</source>
        <translation>无法连接：%1</translation>
    </message>
    <message>
        <source>No system keyring: set NODULE_DESK_PARENT_PASSWORD instead.</source>
        <translation>没有系统密钥环：请改用环境变量 NODULE_DESK_PARENT_PASSWORD 设置密码。</translation>
    </message>
</context>
<context>
    <name>ParentRequestDialog</name>
    <message>
        <source>Send for consultation</source>
        <translation>申请会诊</translation>
    </message>
    <message>
        <source>Refer to the parent center</source>
        <translation>转诊至上级中心</translation>
    </message>
    <message>
        <source>What should the parent center&apos;s experts answer?</source>
        <translation>希望上级中心专家回答什么问题？</translation>
    </message>
    <message>
        <source>Routine</source>
        <translation>常规</translation>
    </message>
    <message>
        <source>Urgent</source>
        <translation>加急</translation>
    </message>
    <message>
        <source>Emergency</source>
        <translation>急诊</translation>
    </message>
    <message>
        <source>The CT series goes with it. Names, IDs and dates are removed or replaced first.</source>
        <translation>CT 影像序列将一并发送。发送前会先删除或替换姓名、编号和日期。</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>加入队列</translation>
    </message>
    <message>
        <source>Case</source>
        <translation>病例</translation>
    </message>
    <message>
        <source>Question</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Urgency</source>
        <translation>紧急程度</translation>
    </message>
</context>
<context>
    <name>ReportDialog</name>
    <message>
        <source>Report</source>
        <translation>报告</translation>
    </message>
    <message>
        <source>Report language</source>
        <translation>报告语言</translation>
    </message>
    <message>
        <source>Lung-RADS category</source>
        <translation>Lung-RADS 分类</translation>
    </message>
    <message>
        <source>Management</source>
        <translation>处理建议</translation>
    </message>
    <message>
        <source>Follow-up date</source>
        <translation>复查日期</translation>
    </message>
    <message>
        <source>Reason for a change</source>
        <translation>修改理由</translation>
    </message>
    <message>
        <source>Radiologist</source>
        <translation>报告医师</translation>
    </message>
    <message>
        <source>Required when you change the guideline&apos;s category, management or date</source>
        <translation>修改指南给出的分类、处理建议或日期时必须填写</translation>
    </message>
    <message>
        <source>Re-run guidelines</source>
        <translation>重新按指南分类</translation>
    </message>
    <message>
        <source>Save changes</source>
        <translation>保存修改</translation>
    </message>
    <message>
        <source>Amend</source>
        <translation>修订</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Sign and export…</source>
        <translation>签署并导出…</translation>
    </message>
    <message>
        <source>The preview and the exported report are in the report language; this window follows the interface language.</source>
        <translation>预览和导出的报告使用报告语言；本窗口使用界面语言。</translation>
    </message>
    <message>
        <source>Signed version %1 by %2: it is final and shown as it was signed.</source>
        <translation>第 %1 版已由 %2 签署：报告已定稿，按签署时的内容显示。</translation>
    </message>
    <message>
        <source>Amended version %1, pending signature: it replaces signed version %2.</source>
        <translation>修订第 %1 版，待签署：将替代已签署的第 %2 版。</translation>
    </message>
    <message>
        <source>Draft version %1, not signed.</source>
        <translation>草稿第 %1 版，未签署。</translation>
    </message>
    <message>
        <source>Say why you change the guideline&apos;s recommendation.</source>
        <translation>请说明修改指南建议的理由。</translation>
    </message>
    <message>
        <source>Enter the radiologist&apos;s name.</source>
        <translation>请输入报告医师姓名。</translation>
    </message>
    <message>
        <source>Sign the report of %1 (ID %2) with Lung-RADS category %3 as %4? A signed report cannot be changed, only amended.</source>
        <translation>以 %4 的身份签署 %1（ID %2）的报告，Lung-RADS 分类 %3？签署后不能修改，只能修订。</translation>
    </message>
    <message>
        <source>Sign the report</source>
        <translation>签署报告</translation>
    </message>
    <message>
        <source>Sign</source>
        <translation>签署</translation>
    </message>
    <message>
        <source>Export the report to</source>
        <translation>将报告导出到</translation>
    </message>
    <message>
        <source>Writing the report…</source>
        <translation>正在生成报告…</translation>
    </message>
    <message>
        <source>Report written to %1</source>
        <translation>报告已写入 %1</translation>
    </message>
</context>
<context>
    <name>RetrievePanel</name>
    <message>
        <source>Patient ID</source>
        <translation>患者编号</translation>
    </message>
    <message>
        <source>Study date, e.g. 20230101-20241231</source>
        <translation>检查日期，例如 20230101-20241231</translation>
    </message>
    <message>
        <source>Find studies</source>
        <translation>查找检查</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>患者</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>图像数</translation>
    </message>
    <message>
        <source>Study UID</source>
        <translation>检查 UID</translation>
    </message>
    <message>
        <source>Retrieve selected</source>
        <translation>获取所选检查</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Add a PACS node first.</source>
        <translation>请先添加一个 PACS 节点。</translation>
    </message>
    <message>
        <source>Searching %1…</source>
        <translation>正在查询 %1…</translation>
    </message>
    <message numerus="yes">
        <source>%n study(ies) found</source>
        <translation>
            <numerusform>找到 %n 项检查</numerusform>
        </translation>
    </message>
    <message>
        <source>Retrieve cancelled</source>
        <translation>已取消获取</translation>
    </message>
    <message>
        <source>Retrieving %1…</source>
        <translation>正在获取 %1…</translation>
    </message>
    <message>
        <source>Retrieved %1 image(s), %2 failed</source>
        <translation>已获取 %1 幅图像，%2 幅失败</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>Screening (Lung-RADS)</source>
        <translation>筛查（Lung-RADS）</translation>
    </message>
    <message>
        <source>Incidental (Fleischner)</source>
        <translation>偶发结节（Fleischner）</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Hospital name on reports</source>
        <translation>报告上的医院名称</translation>
    </message>
    <message>
        <source>Hospital logo</source>
        <translation>医院标志</translation>
    </message>
    <message>
        <source>Report language</source>
        <translation>报告语言</translation>
    </message>
    <message>
        <source>Default guideline</source>
        <translation>默认指南</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg)</source>
        <translation>图像 (*.png *.jpg *.jpeg)</translation>
    </message>
</context>
<context>
    <name>SliceView</name>
    <message>
        <source>%1 mm</source>
        <translation>%1 毫米</translation>
    </message>
    <message>
        <source>Axial</source>
        <translation>轴位</translation>
    </message>
    <message>
        <source>Coronal</source>
        <translation>冠状位</translation>
    </message>
    <message>
        <source>Sagittal</source>
        <translation>矢状位</translation>
    </message>
    <message>
        <source>Slice %1 / %2</source>
        <translation>层面 %1 / %2</translation>
    </message>
    <message>
        <source>Position %1 mm</source>
        <translation>位置 %1 毫米</translation>
    </message>
    <message>
        <source>MISSING slice: interpolated, not measured</source>
        <translation>缺失层面：插值填补，不用于测量</translation>
    </message>
    <message>
        <source>W %1  L %2</source>
        <translation>窗宽 %1  窗位 %2</translation>
    </message>
    <message>
        <source>MIP</source>
        <translation>最大密度投影</translation>
    </message>
    <message>
        <source>MinIP</source>
        <translation>最小密度投影</translation>
    </message>
    <message>
        <source>Average</source>
        <translation>平均</translation>
    </message>
    <message>
        <source>%1 slab %2 mm</source>
        <translation>%1 层块 %2 毫米</translation>
    </message>
</context>
<context>
    <name>ViewerGrid</name>
    <message>
        <source>One view</source>
        <translation>单视图</translation>
    </message>
    <message>
        <source>Three views (1×3)</source>
        <translation>三视图（1×3）</translation>
    </message>
    <message>
        <source>Four views with 3D (2×2)</source>
        <translation>四视图含三维（2×2）</translation>
    </message>
    <message>
        <source>Thin slice</source>
        <translation>薄层</translation>
    </message>
    <message>
        <source>Slab MIP</source>
        <translation>层块最大密度投影（MIP）</translation>
    </message>
    <message>
        <source>Slab MinIP</source>
        <translation>层块最小密度投影（MinIP）</translation>
    </message>
    <message>
        <source>Slab average</source>
        <translation>层块平均</translation>
    </message>
    <message>
        <source> mm</source>
        <translation> 毫米</translation>
    </message>
    <message>
        <source>Slab thickness (1–20 mm)</source>
        <translation>层块厚度（1–20 毫米）</translation>
    </message>
    <message>
        <source>Show patient information on images</source>
        <translation>在图像上显示患者信息</translation>
    </message>
</context>
<context>
    <name>VolumeView3D</name>
    <message>
        <source>Lung</source>
        <translation>肺</translation>
    </message>
    <message>
        <source>Bone</source>
        <translation>骨</translation>
    </message>
    <message>
        <source>Volume rendering preset</source>
        <translation>容积渲染预设</translation>
    </message>
    <message>
        <source>Reset view</source>
        <translation>重置视图</translation>
    </message>
    <message>
        <source>Front view, head up, whole volume in sight</source>
        <translation>正面观，头侧向上，显示全部容积</translation>
    </message>
    <message>
        <source>Preset:</source>
        <translation>预设：</translation>
    </message>
</context>
<context>
    <name>WorklistDock</name>
    <message>
        <source>Worklist</source>
        <translation>工作列表</translation>
    </message>
    <message>
        <source>Search name or patient ID</source>
        <translation>搜索姓名或患者 ID</translation>
    </message>
    <message>
        <source>Study date</source>
        <translation>检查日期</translation>
    </message>
    <message>
        <source>Compare with prior</source>
        <translation>与前次对比</translation>
    </message>
    <message>
        <source>From</source>
        <translation>起始</translation>
    </message>
    <message>
        <source>To</source>
        <translation>截止</translation>
    </message>
    <message>
        <source>Patient / study / series</source>
        <translation>患者 / 检查 / 序列</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>图像数</translation>
    </message>
    <message>
        <source>Follow-up due</source>
        <translation>复查到期</translation>
    </message>
    <message>
        <source>CT done, report pending</source>
        <translation>已复查，待报告</translation>
    </message>
    <message>
        <source>A follow-up CT after the last signed report awaits its report</source>
        <translation>末次签署报告后的复查 CT 尚待报告</translation>
    </message>
    <message>
        <source>Lung-RADS %1: %2</source>
        <translation>Lung-RADS %1 类：%2</translation>
    </message>
    <message>
        <source>Follow-up CT is due</source>
        <translation>已到复查 CT 时间</translation>
    </message>
    <message numerus="yes">
        <source>Follow-up CT overdue by %n day(s)</source>
        <translation>
            <numerusform>复查 CT 已逾期 %n 天</numerusform>
        </translation>
    </message>
</context>
</TS>
