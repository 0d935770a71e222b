from speclens.clients.spec_thinking.cli import main

raise SystemExit(main())
