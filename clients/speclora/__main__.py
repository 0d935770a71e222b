from speclens.clients.speclora.cli import main

raise SystemExit(main())
