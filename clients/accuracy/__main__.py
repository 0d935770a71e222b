from speclens.clients.accuracy.cli import main

raise SystemExit(main())
