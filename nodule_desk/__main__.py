from nodule_desk.cli import main

raise SystemExit(main())
