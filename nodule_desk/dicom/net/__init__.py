"""DICOM networking with pynetdicom: the local node (C-ECHO and C-STORE SCP writing through the
archive) and the SCU side that queries and retrieves from the hospital PACS."""
