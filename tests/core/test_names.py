from nodule_desk.names import display_name


def test_chinese_name_leads_with_the_ideographic_form_for_chinese_readers():
    assert display_name("Zhang^Wei=张^伟") == "张伟 (Zhang Wei)"
    assert display_name("Zhang^Wei=张^伟", "en") == "Zhang Wei (张伟)"


def test_single_group_and_empty_names():
    assert display_name("Smith^John^^Dr") == "Smith John Dr"
    assert display_name("=王^芳") == "王芳"
    assert display_name("") == ""
    assert display_name("张伟^") == "张伟"
