from speclens.clients.draft_verify.cli import main

raise SystemExit(main())
