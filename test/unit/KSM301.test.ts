import { describeFixtures } from '../helpers/fixtures';

describeFixtures('KSM301');
