<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>FollowUpWorklistDialog</name>
    <message numerus="yes">
        <source>%n patient(s)</source>
        <translation>
            <numerusform>%n patient</numerusform>
            <numerusform>%n patients</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ImportProblemsDialog</name>
    <message numerus="yes">
        <source>%n series imported.</source>
        <translation>
            <numerusform>%n series imported.</numerusform>
            <numerusform>%n series imported.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n problem(s): files skipped and series with missing slices.</source>
        <translation>
            <numerusform>%n problem: files skipped and series with missing slices.</numerusform>
            <numerusform>%n problems: files skipped and series with missing slices.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <source>%n slice(s) loaded</source>
        <translation>
            <numerusform>%n slice loaded</numerusform>
            <numerusform>%n slices loaded</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MeasureStatus</name>
    <message numerus="yes">
        <source>Measuring %n nodule(s)…</source>
        <translation>
            <numerusform>Measuring %n nodule…</numerusform>
            <numerusform>Measuring %n nodules…</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>NodulePanelDock</name>
    <message numerus="yes">
        <source>%n nodule(s) on this study.</source>
        <translation>
            <numerusform>%n nodule on this study.</numerusform>
            <numerusform>%n nodules on this study.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ParentCenterMenu</name>
    <message numerus="yes">
        <source>%n opinion(s) from the parent center received</source>
        <translation>
            <numerusform>%n opinion from the parent center received</numerusform>
            <numerusform>%n opinions from the parent center received</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RetrievePanel</name>
    <message numerus="yes">
        <source>%n study(ies) found</source>
        <translation>
            <numerusform>%n study found</numerusform>
            <numerusform>%n studies found</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>WorklistDock</name>
    <message numerus="yes">
        <source>Follow-up CT overdue by %n day(s)</source>
        <translation>
            <numerusform>Follow-up CT overdue by %n day</numerusform>
            <numerusform>Follow-up CT overdue by %n days</numerusform>
        </translation>
    </message>
</context>
</TS>
